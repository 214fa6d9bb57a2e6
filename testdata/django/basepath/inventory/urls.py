from django.conf import settings
from django.urls import include, path

from . import views

_patterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.login, name="login"),
    path("dcim/", include("dcim.urls")),
]

# Everything lives below BASE_PATH.
urlpatterns = [
    path(settings.BASE_PATH, include(_patterns)),
]
