"""A dependency that no migration has and no squash replaces: Django's
MigrationLoader refuses the graph (NodeNotFoundError), and so must
pkg/migrations (see groundtruth.py)."""
SECRET_KEY = "missing-not-secret"
INSTALLED_APPS = ["till"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ROOT_URLCONF = "missingsite.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
