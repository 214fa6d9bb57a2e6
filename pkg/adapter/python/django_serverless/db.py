"""Database connection lifecycle across invocations (``persist_db``).

On: every alias keeps its connection between events for ``CONN_MAX_AGE``
seconds (a configured 0 becomes :data:`DEFAULT_MAX_AGE`; ``None`` stays
unlimited); around each event the connection is health-checked and dropped
if unusable or too old (what ``close_old_connections`` does, plus an
explicit ping on Django versions without ``CONN_HEALTH_CHECKS``). Off: every
connection is closed after each event, whatever the event kind.

Cost: ``close_old_connections`` walks ``connections.all()``, which costs an
asgiref context lookup per alias even when nothing is connected. Only a
connection that is open can be obsolete or unusable (for one that is not,
``close_if_unusable_or_obsolete`` and ``close`` do nothing), so the hooks
walk only the connections this process opened: Django's
``connection_created`` signal reports each, and the ones already open when
the runtime configures itself are picked up then. With nothing open the
hooks do no database work at all.
"""

from _thread import get_ident

import django
from django.db import connections
from django.db.backends.signals import connection_created

#: Lifetime given to connections when persist_db is on and the settings say 0.
DEFAULT_MAX_AGE = 300

_HAS_HEALTH_CHECKS = django.VERSION >= (4, 1)

#: Database wrappers that may hold an open connection, in the order opened
#: (a list mutated in place: the handler keeps a reference). Empty means no
#: connection is open, so the hooks have nothing to do.
opened = []
_opened = opened
_listening = False


def _created(sender, connection, **kwargs):
    for conn in _opened:
        if conn is connection:
            return
    _opened.append(connection)


def _mine():
    """The opened wrappers of this thread; drops closed and foreign ones.

    A wrapper belongs to the thread that created it (Django's connections
    are thread-local, and its own close_old_connections only sees the
    calling thread's); another thread's wrapper is that thread's business.
    """
    me = get_ident()
    live = [c for c in _opened if c.connection is not None and getattr(c, "_thread_ident", me) == me]
    _opened[:] = live
    return live


def configure(persist):
    """Adjust the settings of every database alias once per cold start."""
    global _listening
    if not _listening:
        connection_created.connect(_created, dispatch_uid="django_serverless.db")
        _listening = True
    for alias in connections:
        conn = connections[alias]
        if conn.connection is not None:  # opened before the signal was heard
            _created(None, conn)
        if persist:
            if conn.settings_dict.get("CONN_MAX_AGE", 0) == 0:
                conn.settings_dict["CONN_MAX_AGE"] = DEFAULT_MAX_AGE
            conn.settings_dict["CONN_HEALTH_CHECKS"] = True


def _close_all():
    for conn in _mine():
        conn.close()
    _mine()


def _close_old():
    """close_old_connections() over the connections that are open."""
    for conn in _mine():
        conn.close_if_unusable_or_obsolete()


def before_event(persist, http):
    """Drop obsolete or broken connections before an event runs.

    For HTTP events Django's own ``request_started`` signal runs
    ``close_old_connections``; other events get it here.
    """
    if not _opened:
        return
    if not persist:
        _close_all()
        return
    if not http:
        _close_old()
    if not _HAS_HEALTH_CHECKS:
        for conn in _mine():
            if not conn.is_usable():
                conn.close()


def after_event(persist, http):
    """Close what the event opened unless connections persist.

    For HTTP events ``request_finished`` has run ``close_old_connections``.
    """
    if not _opened:
        return
    if not persist:
        _close_all()
    elif not http:
        _close_old()


def connect_all():
    """Open (or health-check) every alias's connection; used by warm-ups."""
    for conn in connections.all():
        conn.ensure_connection()
