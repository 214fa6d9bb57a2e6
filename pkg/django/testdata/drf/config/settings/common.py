from .base import *  # noqa

INSTALLED_APPS += ["accounts"]
