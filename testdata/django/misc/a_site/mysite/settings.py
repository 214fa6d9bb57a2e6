SECRET_KEY = "misc-example"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "mysite"]
ROOT_URLCONF = "mysite.urls"
# django-hosts: the api host has its own URL conf.
ROOT_HOSTCONF = "mysite.hosts"
DEFAULT_HOST = "www"
