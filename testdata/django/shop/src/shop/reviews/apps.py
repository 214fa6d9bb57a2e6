from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "shop.reviews"
