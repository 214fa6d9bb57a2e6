from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

import store.api.views as api_views

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("products", api_views.ProductViewSet)
router.register(r"orders", api_views.OrderViewSet, basename="order")

root_router = DefaultRouter()
root_router.register("p", api_views.ProductViewSet, basename="p")

urlpatterns = [
    path("ping/", api_views.ping, name="ping"),
    path("v1/", include((router.urls, "v1"))),
    path("root/", include(root_router.urls)),
]
