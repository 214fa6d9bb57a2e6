"""Settings of the adapter's test project (one view per edge case)."""
import os
import tempfile

SECRET_KEY = "test-secret-key-that-must-never-leak"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "testproj.urls"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "testapp",
]
MIDDLEWARE = [
    "testproj.middleware.count_requests",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        # A file, not :memory: (Django never closes in-memory SQLite).
        "NAME": os.environ.get("TESTPROJ_DB") or os.path.join(tempfile.gettempdir(), "django-serverless-testproj-%d.sqlite3" % os.getpid()),
        "CONN_MAX_AGE": 0,
    }
}
GRAPHENE = {"SCHEMA": "testproj.schema.schema"}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
