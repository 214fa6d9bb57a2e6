from .common import *  # noqa

INSTALLED_APPS.append("django.contrib.sessions")
