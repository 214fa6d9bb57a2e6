from .base import *  # noqa: F403

# Local development: the debug pages are in the URL conf only when DEBUG is on,
# and it is off unless DJANGO_DEBUG says otherwise.
ALLOWED_HOSTS = ["localhost"]
