from django.urls import include, path

from core.registry import no_extra_urls

urlpatterns = [
    path("", include("parts.urls")),
    path("", include("stock.urls")),
    # A function known to return an empty list: nothing to report.
    path("extra/", include(no_extra_urls())),
]
