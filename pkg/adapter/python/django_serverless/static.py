"""Static files and the front door, configured from the environment.

With static.mode cloudfront the build collected the static files with
ManifestStaticFilesStorage and shipped their manifest (staticfiles.json)
with the function; the files themselves are on CloudFront. Before Django
is set up, :func:`configure` points the settings at them without editing
the project's settings module:

* DJANGO_SERVERLESS_STATIC_URL becomes STATIC_URL (the distribution's or
  the environment's domain, ``https://.../static/``);
* DJANGO_SERVERLESS_STATIC_ROOT (the folder holding staticfiles.json)
  becomes STATIC_ROOT, and the static files storage becomes
  ManifestStaticFilesStorage, so ``{% static %}`` gives the hashed names
  (Django 3.2: STATICFILES_STORAGE; 4.2 and later: STORAGES["staticfiles"]).
  Without the manifest there (a local run before any build) the storage is
  left alone.

DJANGO_SERVERLESS_HOST is the environment's own host name when CloudFront
is its front door: CloudFront reaches API Gateway with the API's own Host
header (API Gateway routes by it), so :func:`front_door` makes the request
look as the browser sent it: that host, over https. The value comes from
the deployment's configuration, never from a request header.
"""

import os

MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
MANIFEST_NAME = "staticfiles.json"


def configure(environ):
    """Apply the static files settings; call before django.setup()."""
    url = environ.get("DJANGO_SERVERLESS_STATIC_URL", "")
    root = environ.get("DJANGO_SERVERLESS_STATIC_ROOT", "")
    if not url and not root:
        return False
    import django
    from django.conf import settings

    if url:
        settings.STATIC_URL = url
    if root and os.path.isfile(os.path.join(root, MANIFEST_NAME)):
        settings.STATIC_ROOT = root
        if django.VERSION >= (4, 2):
            storages = dict(getattr(settings, "STORAGES", None) or {})
            storages["staticfiles"] = {"BACKEND": MANIFEST_STORAGE}
            settings.STORAGES = storages
            if django.VERSION < (5, 1) and settings.is_overridden("STATICFILES_STORAGE"):
                settings.STATICFILES_STORAGE = MANIFEST_STORAGE
        else:
            settings.STATICFILES_STORAGE = MANIFEST_STORAGE
    return True


def front_door(environ, host):
    """Make a WSGI environ look as the browser's request to host."""
    environ["django_serverless.origin_host"] = environ.get("HTTP_HOST", "")
    environ["HTTP_HOST"] = host
    # A client's own X-Forwarded-Host reaches the function through
    # CloudFront; with USE_X_FORWARDED_HOST it would win over HTTP_HOST.
    environ["HTTP_X_FORWARDED_HOST"] = host
    environ["SERVER_NAME"] = host
    environ["SERVER_PORT"] = "443"
    environ["wsgi.url_scheme"] = "https"
    return environ
