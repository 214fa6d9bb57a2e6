"""Squashed migrations whose replaced files were deleted, loaded by Django's
MigrationLoader as ground truth for pkg/migrations (see groundtruth.py).

ledger and inbox: squashes whose replaced migrations are gone, depended on
by their replaced names from their own app and from another one.
catalog and board: a squash that replaces an earlier squash (itself gone),
depended on by the earlier squash's name.
report: __first__, __latest__ and run_before against those apps."""
SECRET_KEY = "squash-not-secret"
INSTALLED_APPS = [
    "board",
    "catalog",
    "inbox",
    "ledger",
    "report",
    "django.contrib.contenttypes",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ROOT_URLCONF = "squashsite.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
