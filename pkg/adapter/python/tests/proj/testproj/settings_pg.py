"""The test project on PostgreSQL: DATABASES from DATABASE_URL (as the
guestbook example and the README show), for the database event tests."""
import os
from urllib.parse import unquote, urlsplit

from .settings import *  # noqa: F401,F403

_url = urlsplit(os.environ["DATABASE_URL"])
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(_url.path.lstrip("/")),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
    }
}
