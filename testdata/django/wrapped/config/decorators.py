"""Apply a decorator to every view of a URL conf, as some projects do to
make a whole site login-only."""
import functools

from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver


def _decorate(decorator, patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            _decorate(decorator, p.url_patterns)
        elif isinstance(p, URLPattern):
            p.callback = decorator(p.callback)
    return patterns


# Built at import time: discovery cannot tell what it does.
login_required_everywhere = functools.partial(_decorate, login_required)
