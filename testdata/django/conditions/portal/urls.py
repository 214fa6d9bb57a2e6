import importlib.util

from django.conf import settings
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]

# Only when DEBUG is on: Django's default is off.
if settings.DEBUG:
    urlpatterns += [path("__debug__/", views.debug_page, name="debug")]

# Only when the deployment sets LEGACY_PREFIX (the legacy environment does).
if settings.LEGACY_PREFIX:
    urlpatterns += [path(f"{settings.LEGACY_PREFIX}/shop/", include("shop.urls", namespace="legacy-shop"))]
else:
    urlpatterns += [path("shop/", include("shop.urls"))]

if "django.contrib.humanize" in settings.INSTALLED_APPS:
    urlpatterns += [path("beta/", views.beta, name="beta")]

# Whether a package is installed cannot be known from the source: the
# routes of every branch are kept (here Django takes this one).
if importlib.util.find_spec("django") is not None:
    urlpatterns += [path("status/", views.status, name="status")]
