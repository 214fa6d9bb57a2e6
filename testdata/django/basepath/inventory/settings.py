import importlib
import os

from utilities.string import trailing_slash

# The configuration module is chosen at run time, as some projects do.
configuration = importlib.import_module(os.environ.get("INVENTORY_CONFIGURATION", "inventory.configuration"))

for parameter in ("ALLOWED_HOSTS",):
    if not hasattr(configuration, parameter):
        raise RuntimeError(f"Required parameter {parameter} is missing from configuration.")

ALLOWED_HOSTS = getattr(configuration, "ALLOWED_HOSTS")
BASE_PATH = trailing_slash(getattr(configuration, "BASE_PATH", ""))
LOGIN_URL = f"/{BASE_PATH}login/"
SECRET_KEY = "basepath-example"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "dcim",
]
ROOT_URLCONF = "inventory.urls"
