"""Edge cases of the migration graph, loaded by Django's MigrationLoader as
ground truth for pkg/migrations (see groundtruth.py)."""
SECRET_KEY = "edge-not-secret"
INSTALLED_APPS = [
    "zeta.apps.ZetaConfig",
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "django.contrib.contenttypes",
    "django.contrib.auth",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ROOT_URLCONF = "edgesite.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
