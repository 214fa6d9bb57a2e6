from django.urls import path

from . import views

app_name = "dcim"
urlpatterns = [
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/<int:pk>/", views.SiteView.as_view(), name="site"),
]
