from urllib.parse import urlparse

from django.conf import settings
from django.urls import include, path

from hc.checks import views as check_views

# The site may live below a path of SITE_ROOT (https://example.com/hc/).
prefix = ""
if _path := urlparse(settings.SITE_ROOT).path.lstrip("/"):
    prefix = f"{_path}/"

urlpatterns = [
    path(f"{prefix}login/", check_views.login, name="login"),
    path(prefix, include("hc.checks.urls")),
    path(f"{prefix}api/", include("hc.api.urls")),
]
