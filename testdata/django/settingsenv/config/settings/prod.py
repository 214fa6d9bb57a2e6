from .base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "config.urls_prod"
