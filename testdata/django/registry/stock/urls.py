from django.urls import include, path

from core.registry import collection_urls

app_name = "stock"
urlpatterns = [
    path("stock/", include(collection_urls("stock"))),
]
