"""URL configuration for mysite."""
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("polls/", include("polls.urls")),
    path("pages/", include("pages.urls", namespace="info")),
    path("graphql/", views.graphql, name="graphql"),
]
