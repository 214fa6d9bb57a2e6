SECRET_KEY = "exceptlists-example"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "articles",
]
ROOT_URLCONF = "reader.urls"
