SECRET_KEY = "generics-example"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "notes",
]
ROOT_URLCONF = "proj.urls"
