"""The child process of management events (``python -m django_serverless.command``).

A management event runs here, in a process of its own, so that its output is
captured whole (print, logging and the command's own streams), a timeout can
end it for sure (the parent kills it), and nothing it does stays behind in
the warm process that serves the next event. The process inherits the
function's environment, with the database already prepared by the parent
(:mod:`django_serverless.database`).

``command manage NAME [ARGS...]``
    runs the management command as ``manage.py NAME ARGS...`` would (as
    ``manage-unless-sqlite``: not when every database is SQLite): the
    arguments reach Django's own parser as a list, never a shell. Exit
    status: the command's (0, or 1 for a CommandError).
``command database create|drop|fixtures``
    creates the pr-<N> preview's database when missing, drops it, or loads
    the configured fixtures into it.

In a preview, every command first checks that Django's default database is
the preview's own (named so in the settings, and marked as the preview's on
the server); exit status 2 when it is not, or when the operation is
refused.
"""

import os
import sys

from . import database

REFUSED = 2


def _guard():
    """Refuse to run against any database but the environment's own: the
    settings must name it, and a preview's own database must carry the
    preview's owner marker (a database of that name made by someone else
    is never migrated into)."""
    name = os.environ.get(database.NAME_VAR, "").strip()
    if not name:
        return
    from django.db import connections

    if "default" not in connections.databases:
        return
    actual = connections["default"].settings_dict.get("NAME")
    if actual != name:
        raise database.Refused(
            "this pr-<N> preview uses database %r, but DATABASES['default']['NAME'] is %r: make the "
            "settings read DATABASE_URL or DJANGO_SERVERLESS_DATABASE_NAME (README: A database per preview)"
            % (name, actual)
        )
    # A preview with a database of its own (only then does its manage
    # function have an owner marker): the database must carry it.
    conn = connections["default"]
    if os.environ.get(database.OWNER_VAR, "").strip() and conn.vendor == "postgresql":
        database.check_owner(conn, name, database.owner_marker(os.environ))


def _manage(argv):
    from django.core.management import ManagementUtility

    ManagementUtility(["manage.py"] + argv).execute()
    return 0


def _database(action):
    if action == "create":
        return database.create(sys.stdout)
    if action == "drop":
        return database.drop(sys.stdout)
    if action == "fixtures":
        database.preview_name(os.environ)
        _guard()
        names = database.fixtures()
        if not names:
            print("no fixtures configured (database.fixtures)")
            return 0
        return _manage(["loaddata"] + names)
    raise database.Refused("unknown database action %r (create, drop, fixtures)" % action)


def _all_sqlite():
    from django.db import connections

    aliases = list(connections.databases)
    return bool(aliases) and all(connections[a].vendor == "sqlite" for a in aliases)


def main(argv):
    if len(argv) < 2 or argv[0] not in ("manage", "manage-unless-sqlite", "database"):
        sys.stderr.write("usage: python -m django_serverless.command manage NAME [ARGS...] | database create|drop|fixtures\n")
        return REFUSED
    import django

    try:
        django.setup()
        if argv[0] == "database":
            return _database(argv[1])
        _guard()
        if argv[0] == "manage-unless-sqlite" and _all_sqlite():
            print("skipped: every database in DATABASES is SQLite, a file local to each function; "
                  "a deploy has nothing to migrate (set migrations: off to stop trying)")
            print('{"skipped": "sqlite"}')
            return 0
        return _manage(argv[1:])
    except database.Refused as err:
        sys.stderr.write("refused: %s\n" % err)
        return REFUSED
    except SystemExit as exit:
        code = exit.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        sys.stderr.write("%s\n" % code)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
