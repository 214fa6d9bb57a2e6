"""Static files settings and the front door (django_serverless.static)."""
import os
import tempfile
import unittest
from unittest import mock

import support  # noqa: F401  (paths and Django settings first)

import django

from django_serverless import static

MANIFEST = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


class FakeSettings:
    """The parts of django.conf.settings configure() touches."""

    def __init__(self, storage=None, explicit=()):
        self.STATIC_URL = "/static/"
        self.STATIC_ROOT = None
        self.STATICFILES_STORAGE = storage or "django.contrib.staticfiles.storage.StaticFilesStorage"
        self.STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        self._explicit = set(explicit)

    def is_overridden(self, name):
        return name in self._explicit


class ConfigureTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        with open(os.path.join(self.root, "staticfiles.json"), "w") as f:
            f.write('{"paths": {}, "version": "1.0"}')

    def configure(self, version, settings, environ):
        with mock.patch.object(django, "VERSION", version), mock.patch("django.conf.settings", settings):
            return static.configure(environ)

    def env(self, root=None):
        return {"DJANGO_SERVERLESS_STATIC_URL": "https://d111.cloudfront.net/static/",
                "DJANGO_SERVERLESS_STATIC_ROOT": self.root if root is None else root}

    def test_django_32(self):
        s = FakeSettings()
        self.assertTrue(self.configure((3, 2, 25, "final", 0), s, self.env()))
        self.assertEqual(s.STATIC_URL, "https://d111.cloudfront.net/static/")
        self.assertEqual(s.STATIC_ROOT, self.root)
        self.assertEqual(s.STATICFILES_STORAGE, MANIFEST)

    def test_django_42_storages(self):
        s = FakeSettings()
        self.configure((4, 2, 0, "final", 0), s, self.env())
        self.assertEqual(s.STORAGES["staticfiles"], {"BACKEND": MANIFEST})
        self.assertEqual(s.STORAGES["default"]["BACKEND"], "django.core.files.storage.FileSystemStorage")
        # Not set by the settings module: Django 4.2 reads STORAGES.
        self.assertNotEqual(s.STATICFILES_STORAGE, MANIFEST)

    def test_django_42_settings_set_staticfiles_storage(self):
        s = FakeSettings(storage="whitenoise.storage.CompressedManifestStaticFilesStorage", explicit={"STATICFILES_STORAGE"})
        self.configure((4, 2, 0, "final", 0), s, self.env())
        self.assertEqual(s.STATICFILES_STORAGE, MANIFEST)  # what 4.2 and 5.0 then read
        self.assertEqual(s.STORAGES["staticfiles"], {"BACKEND": MANIFEST})

    def test_django_51(self):
        s = FakeSettings(storage="x.Storage", explicit={"STATICFILES_STORAGE"})
        self.configure((5, 1, 0, "final", 0), s, self.env())
        self.assertEqual(s.STORAGES["staticfiles"], {"BACKEND": MANIFEST})
        self.assertEqual(s.STATICFILES_STORAGE, "x.Storage")  # 5.1 ignores it

    def test_without_manifest_only_the_url(self):
        s = FakeSettings()
        self.configure((3, 2, 25, "final", 0), s, self.env(root=tempfile.mkdtemp()))
        self.assertEqual(s.STATIC_URL, "https://d111.cloudfront.net/static/")
        self.assertIsNone(s.STATIC_ROOT)
        self.assertEqual(s.STATICFILES_STORAGE, "django.contrib.staticfiles.storage.StaticFilesStorage")

    def test_nothing_configured(self):
        s = FakeSettings()
        self.assertFalse(self.configure((3, 2, 25, "final", 0), s, {}))
        self.assertEqual(s.STATIC_URL, "/static/")


class FrontDoorTest(unittest.TestCase):
    """Behind CloudFront the function answers as the configured host."""

    def tearDown(self):
        support.configure()

    def front(self, host):
        h = support.handler()
        h.reconfigure({"DJANGO_SERVERLESS_SCRIPT_NAME": "", "DJANGO_SERVERLESS_FUNCTION": "fn", "DJANGO_SERVERLESS_HOST": host})

    def test_rest_behind_cloudfront(self):
        self.front("www.example.com")
        e = support.rest("/echo/", stage="dev", rc_path="/dev/echo/")
        for k in ("headers", "multiValueHeaders"):
            hs = e[k]
            hs["Host"] = "abc123.execute-api.us-east-1.amazonaws.com" if k == "headers" else ["abc123.execute-api.us-east-1.amazonaws.com"]
            hs["X-Forwarded-Host"] = "evil.example.net" if k == "headers" else ["evil.example.net"]
        seen = support.body_json(support.invoke(e))
        self.assertEqual(seen["host"], "www.example.com")
        self.assertEqual(seen["absolute"], "https://www.example.com/echo/")
        self.assertEqual(seen["script_name"], "")
        self.assertEqual(seen["path"], "/echo/")
        self.assertEqual(seen["headers"]["HTTP_X_FORWARDED_HOST"], "www.example.com")
        self.assertTrue(seen["is_secure"])

    def test_http_behind_cloudfront(self):
        self.front("WWW.Example.com ")
        seen = support.body_json(support.invoke(support.http("/echo/")))
        self.assertEqual(seen["host"], "www.example.com")
        self.assertEqual(seen["absolute"], "https://www.example.com/echo/")

    def test_without_host_the_request_own(self):
        self.front("")
        e = support.rest("/echo/", stage="dev")
        seen = support.body_json(support.invoke(e))
        self.assertNotEqual(seen["host"], "www.example.com")
        self.assertEqual(seen["host"], e["headers"]["Host"])


if __name__ == "__main__":
    unittest.main()
