from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("me/", views.me, name="me"),
    path("whoami/", views.whoami, name="whoami"),
    path("password/", views.PasswordView.as_view(), name="password"),
]
