SECRET_KEY = "x"
DEBUG = False
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "store",
]
ROOT_URLCONF = "config.urls"
