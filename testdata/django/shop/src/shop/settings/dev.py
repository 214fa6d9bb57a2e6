"""Development settings: the base plus debugging and the reviews app."""
from .base import *  # noqa: F401,F403

DEBUG = True

INSTALLED_APPS += [  # noqa: F405
    "django.contrib.humanize",
    "shop.reviews",
]
