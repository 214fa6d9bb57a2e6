"""Database connection lifecycle across invocations (``persist_db``).

On: every alias keeps its connection between events for ``CONN_MAX_AGE``
seconds (a configured 0 becomes :data:`DEFAULT_MAX_AGE`; ``None`` stays
unlimited); before each event the connection is health-checked and dropped
if unusable or too old (``close_old_connections`` plus an explicit ping on
Django versions without ``CONN_HEALTH_CHECKS``). Off: every connection is
closed after each event, whatever the event kind.
"""

import django

#: Lifetime given to connections when persist_db is on and the settings say 0.
DEFAULT_MAX_AGE = 300

_HAS_HEALTH_CHECKS = django.VERSION >= (4, 1)

# Whether a connection may be open. True at cold start (settings or app code
# may have connected); set by connection_created, cleared once all are closed.
_maybe_open = True
_listening = False


def _created(sender, connection, **kwargs):
    global _maybe_open
    _maybe_open = True


def configure(persist):
    """Adjust the settings of every database alias once per cold start."""
    global _listening
    from django.db import connections
    from django.db.backends.signals import connection_created

    if not _listening:
        connection_created.connect(_created, dispatch_uid="django_serverless.db")
        _listening = True
    if not persist:
        return
    for alias in connections:
        conn = connections[alias]
        if conn.settings_dict.get("CONN_MAX_AGE", 0) == 0:
            conn.settings_dict["CONN_MAX_AGE"] = DEFAULT_MAX_AGE
        conn.settings_dict["CONN_HEALTH_CHECKS"] = True


def _close_all():
    global _maybe_open
    from django.db import connections

    for conn in connections.all():
        conn.close()
    _maybe_open = False


def before_event(persist, http):
    """Drop obsolete or broken connections before an event runs.

    For HTTP events Django's own ``request_started`` signal runs
    ``close_old_connections``; other events get it here.
    """
    if not persist:
        if _maybe_open:
            _close_all()
        return
    from django.db import close_old_connections, connections

    if not http:
        close_old_connections()
    if not _HAS_HEALTH_CHECKS:
        for conn in connections.all():
            if conn.connection is not None and not conn.is_usable():
                conn.close()


def after_event(persist, http):
    """Close what the event opened unless connections persist.

    For HTTP events ``request_finished`` has run ``close_old_connections``.
    """
    if not persist:
        if _maybe_open:
            _close_all()
        return
    if not http:
        from django.db import close_old_connections

        close_old_connections()


def connect_all():
    """Open (or health-check) every alias's connection; used by warm-ups."""
    from django.db import connections

    for conn in connections.all():
        conn.ensure_connection()
