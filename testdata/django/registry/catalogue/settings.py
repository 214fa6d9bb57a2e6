SECRET_KEY = "registry-example"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "core",
    "parts",
    "stock.apps.StockConfig",
]
ROOT_URLCONF = "catalogue.urls"
