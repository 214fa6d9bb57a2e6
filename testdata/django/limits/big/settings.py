SECRET_KEY = "limits-example"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "big"]
ROOT_URLCONF = "big.urls"
