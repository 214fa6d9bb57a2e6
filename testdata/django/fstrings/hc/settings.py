import os

SECRET_KEY = "fstrings-example"
SITE_ROOT = os.getenv("SITE_ROOT", "http://localhost:8000")
API_VERSIONS = ["1", "2"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "hc.checks",
    "hc.api",
]
ROOT_URLCONF = "hc.urls"
