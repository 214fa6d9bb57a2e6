DJANGO_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
)
THIRD = ["rest_framework"]
INSTALLED_APPS = [*DJANGO_APPS, *THIRD]
INSTALLED_APPS += ["shop.catalog.apps.CatalogConfig", "shop.api"]
ROOT_URLCONF = "shop.urls"
GRAPHENE = {"SCHEMA": "shop.schema.schema"}
SECRET_KEY = "x"
