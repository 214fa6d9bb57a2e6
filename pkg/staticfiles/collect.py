"""collectstatic for django-serverless: ``collect.py OUT RESULT``.

Runs Django's collectstatic with the project's own settings into OUT,
overriding only where the files go (STATIC_ROOT), the URL path they are
collected for (STATIC_URL, so absolute url(/static/...) references in CSS
are rewritten) and the storage (ManifestStaticFilesStorage: hashed names
and staticfiles.json). The settings module is not edited: the overrides
are made on django.conf.settings before django.setup(), for Django 3.2
(STATICFILES_STORAGE) and 4.2 and later (STORAGES["staticfiles"]).

Writes a JSON object to RESULT: the Django version, the settings' own
STATIC_URL and static files storage (so the caller can say what it
replaced). stdout is left to the project (settings may print).
"""
import json
import sys

MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
STATIC_PATH = "/static/"


def main(out, result):
    import django
    from django.conf import settings

    own_url = settings.STATIC_URL  # imports the settings module
    if django.VERSION >= (4, 2):
        storages = dict(getattr(settings, "STORAGES", None) or {})
        own_storage = (storages.get("staticfiles") or {}).get("BACKEND", "")
        if django.VERSION < (5, 1) and settings.is_overridden("STATICFILES_STORAGE"):
            # Django 4.2 and 5.0 still read STATICFILES_STORAGE when the
            # settings module sets it.
            own_storage = settings.STATICFILES_STORAGE
            settings.STATICFILES_STORAGE = MANIFEST_STORAGE
        storages["staticfiles"] = {"BACKEND": MANIFEST_STORAGE}
        settings.STORAGES = storages
    else:
        own_storage = settings.STATICFILES_STORAGE
        settings.STATICFILES_STORAGE = MANIFEST_STORAGE
    settings.STATIC_ROOT = out
    settings.STATIC_URL = STATIC_PATH
    django.setup()

    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    with open(result, "w", encoding="utf-8") as f:
        json.dump(
            {
                "django": django.get_version(),
                "static_url": "" if own_url is None else str(own_url),
                "storage": str(own_storage or ""),
            },
            f,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
