from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .api import ReviewViewSet

router = SimpleRouter(trailing_slash=False)
router.register("entries", ReviewViewSet, basename="review")

urlpatterns = [
    path("latest/", views.latest, name="latest"),
] + router.urls
