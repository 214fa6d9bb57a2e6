from django.urls import path
from rest_framework import routers

from .views import ProductViewSet, hello

router = routers.DefaultRouter()
router.register(r"products", ProductViewSet, basename="product")

urlpatterns = [
    path("hello/", hello),
] + router.urls
