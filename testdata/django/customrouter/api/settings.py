SECRET_KEY = "customrouter-example"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "catalog",
]
ROOT_URLCONF = "api.urls"
