from django.urls import path

from . import views

app_name = "entries"
urlpatterns = [
    path("", views.entries, name="list"),
    path("count/", views.count, name="count"),
    path("ping/", views.ping, name="ping"),
    path("<int:pk>/", views.detail, name="detail"),
]
