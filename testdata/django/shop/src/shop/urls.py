"""The shop's root URL configuration."""
from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView
from rest_framework.routers import DefaultRouter

import shop.accounts.urls
from shop.catalog import api as catalog_api
from shop.orders.api import OrderViewSet

from . import views
from .feeds import LatestProductsFeed

router = DefaultRouter()
router.register(r"products", catalog_api.ProductViewSet, basename="product")
router.register("orders", OrderViewSet, basename="order")

api_v2_patterns = [
    path("status/", views.status, name="status"),
    path("health/", views.health, name="health"),
]

urlpatterns = [
    path("", TemplateView.as_view(template_name="shop/home.html"), name="home"),
    path("home/", RedirectView.as_view(pattern_name="home", permanent=False)),
    path("catalog/", include("shop.catalog.urls")),
    path("orders/", include("shop.orders.urls", namespace="shop-orders")),
    path("accounts/", include(shop.accounts.urls)),
    path("api/", include(router.urls)),
    path("feeds/latest/", LatestProductsFeed(), name="feed-latest"),
]

urlpatterns += [
    path("api/v2/", include((api_v2_patterns, "v2"))),
    path("reviews/", include(("shop.reviews.urls", "reviews"), namespace="shop-reviews")),
    path("graphql/", views.graphql, name="graphql"),
]

urlpatterns = urlpatterns + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
