"""Class-based settings: each configuration is a class, and the one chosen
by SITE_CONFIGURATION has its upper-case attributes loaded into this module
(the way settings libraries built on classes do it)."""
import os


class Base:
    SECRET_KEY = "classsettings-example"
    DEBUG = False
    BASE_APPS = [
        "django.contrib.contenttypes",
        "django.contrib.auth",
    ]
    INSTALLED_APPS = BASE_APPS + ["blog"]
    ROOT_URLCONF = "mysite.urls"
    BLOG_PREFIX = "blog/"


class Production(Base):
    ALLOWED_HOSTS = ["example.com"]


class Development(Base):
    DEBUG = True
    BLOG_PREFIX = "dev-blog/"
    INSTALLED_APPS = Base.INSTALLED_APPS + []


_configurations = {"Production": Production, "Development": Development}
_active = _configurations[os.environ.get("SITE_CONFIGURATION", "Production")]
globals().update({name: getattr(_active, name) for name in dir(_active) if name.isupper()})
