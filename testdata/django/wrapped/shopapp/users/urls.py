from django.urls import path

from .views import UserDetailView, UserRedirectView, UserUpdateView, settings_view

app_name = "users"
urlpatterns = [
    path("~redirect/", view=UserRedirectView.as_view(), name="redirect"),
    path("~update/", view=UserUpdateView.as_view(), name="update"),
    path("~settings/", view=settings_view, name="settings"),
    path("<str:nickname>/", view=UserDetailView.as_view(), name="detail"),
]
