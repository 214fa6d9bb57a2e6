"""A squash that replaces another squash still on disk (with its own
replaces), loaded by Django's MigrationLoader as ground truth for
pkg/migrations (see groundtruth.py). Django 3.2 handles the two squashes in
the order of a set, so it loads this graph or refuses it depending on
PYTHONHASHSEED; groundtruth_test.go compares with every run that loads it."""
SECRET_KEY = "nested-not-secret"
INSTALLED_APPS = ["lamp", "shelf"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ROOT_URLCONF = "nestsite.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
