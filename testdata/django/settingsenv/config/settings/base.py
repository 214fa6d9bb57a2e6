SECRET_KEY = "settingsenv-example"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "pages",
]
ROOT_URLCONF = "config.urls"
