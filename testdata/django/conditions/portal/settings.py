import os

# DEBUG is not set: Django's default (False) applies.
SECRET_KEY = "conditions-example"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "shop",
]
if os.environ.get("ENABLE_BETA"):
    INSTALLED_APPS.append("django.contrib.humanize")
ROOT_URLCONF = "portal.urls"
LEGACY_PREFIX = os.environ.get("LEGACY_PREFIX")
