"""Base settings, as a project template lays them out."""
import os

DEBUG = os.environ.get("DJANGO_DEBUG", "False").lower() in ("1", "true", "yes")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "wrapped-example")
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
]
LOCAL_APPS = ["shopapp.users"]
INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS
ROOT_URLCONF = "config.urls"
ADMIN_URL = "admin/"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth", "django.contrib.messages.context_processors.messages"]},
    }
]
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = "/tmp/media"
