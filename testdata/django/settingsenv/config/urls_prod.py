from django.urls import include, path

from pages import views

urlpatterns = [
    path("", include("pages.urls")),
    path("healthz/", views.healthz, name="healthz"),
]
