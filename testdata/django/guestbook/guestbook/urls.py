from django.urls import include, path

urlpatterns = [
    path("entries/", include("entries.urls")),
]
