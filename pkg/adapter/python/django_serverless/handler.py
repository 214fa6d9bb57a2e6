"""The Lambda entry point: ``django_serverless.handler.handle``.

Importing this module sets Django up once per cold start (settings module
from DJANGO_SETTINGS_MODULE) and builds the WSGI handler. Per event:

* warm-up ``{"django_serverless": "warmup"}``: answered at once, no
  middleware; with persist_db the database connections are opened here;
* API Gateway REST / HTTP API, Function URL, ALB: the full Django request
  pipeline through its WSGI handler, answered in the event's response shape;
* AppSync direct resolver (single or batch): the field executed against the
  project's graphene schema;
* management ``{"django_serverless": "manage", ...}`` and preview database
  ``{"django_serverless": "database", ...}`` events, in the function that
  allows them (:mod:`django_serverless.control`);
* anything else: UnknownEvent naming the event's keys.

Environment (set by the templates and by ``invoke``):
DJANGO_SERVERLESS_SCRIPT_NAME, DJANGO_SERVERLESS_PERSIST_DB (1/0),
DJANGO_SERVERLESS_FUNCTION, DJANGO_SERVERLESS_GRAPHQL_SCHEMA; the database
(DJANGO_SERVERLESS_DATABASE_SECRET, DJANGO_SERVERLESS_DATABASE_NAME: see
:mod:`django_serverless.database`, read before Django's settings), the
management commands allowed (DJANGO_SERVERLESS_MANAGE_ALLOW), and for
static files and a front door (see static.py) DJANGO_SERVERLESS_STATIC_URL,
DJANGO_SERVERLESS_STATIC_ROOT, DJANGO_SERVERLESS_HOST.
"""

import logging
import os

import django

from . import database, db, events, static, wsgi

logger = logging.getLogger("django_serverless")


class Config:
    """The function's configuration, read from the environment."""

    __slots__ = ("script_name", "persist_db", "function", "graphql_schema", "host")

    def __init__(self, environ):
        self.script_name = events.normalise_script_name(environ.get("DJANGO_SERVERLESS_SCRIPT_NAME", ""))
        self.persist_db = environ.get("DJANGO_SERVERLESS_PERSIST_DB", "0").strip().lower() in ("1", "true", "yes", "on")
        self.function = environ.get("DJANGO_SERVERLESS_FUNCTION", "")
        self.graphql_schema = environ.get("DJANGO_SERVERLESS_GRAPHQL_SCHEMA", "")
        self.host = environ.get("DJANGO_SERVERLESS_HOST", "").strip().lower()


def _setup():
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        raise RuntimeError("django_serverless: DJANGO_SETTINGS_MODULE is not set in the function environment")
    database.prepare(os.environ)
    static.configure(os.environ)
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()


config = Config(os.environ)
application = _setup()
db.configure(config.persist_db)


def reconfigure(environ=None):
    """Re-read the configuration (tests, and ``invoke`` with a new env)."""
    global config
    config = Config(os.environ if environ is None else environ)
    db.configure(config.persist_db)
    return config


def _warmup(context):
    if config.persist_db:
        db.connect_all()
    return {"django_serverless": "warm", "function": config.function}


def _http(event, ekind, context):
    try:
        environ = events.environ(event, ekind, config.script_name, context)
    except events.BadEvent as err:
        logger.warning("django_serverless: malformed %s event: %s", ekind, err)
        return wsgi.error_response(ekind, err.status, str(err))
    if config.host:
        static.front_door(environ, config.host)
    response = _run(application, environ)
    if ekind == _HTTP_V2:  # the usual events: straight to their response shape
        return _shape_v2(response)
    if ekind == _REST:
        return _shape_rest(response)
    return wsgi.shape(response, ekind, event)


def _appsync(event, ekind):
    from . import appsync  # graphene is imported only by functions that get AppSync events

    schema = appsync.load_schema(config.graphql_schema)
    if ekind == events.APPSYNC:
        return appsync.resolve(schema, event)
    return appsync.resolve_batch(schema, event)


_run = wsgi.run
_shape_v2 = wsgi._shape_v2
_shape_rest = wsgi._shape_rest
_rest_environ = events._rest_environ
_HTTP_V2 = events.HTTP
_REST = events.REST
_HTTP_KINDS = frozenset((events.REST, events.HTTP, events.URL, events.ALB))
_opened = db.opened  # the connections the DB hooks look after (mutated in place)
_before = db.before_event
_after = db.after_event


def handle(event, context):
    """Lambda handler for every event kind this runtime serves.

    The DB hooks run around every event; with no connection open they have
    nothing to do, and are skipped here without a call.

    The usual REST event (the default API type) with no connection open is
    recognised and turned into its environ in one step
    (events._rest_environ, which applies kind()'s rules for it) and goes
    straight to its response shape; every other event, and a REST event
    that step hands back (or finds malformed: answered 400 below), goes
    through kind() and the general code.
    """
    if not _opened:
        try:
            environ = _rest_environ(event, config.script_name, context)
        except events.BadEvent:
            environ = None
        if environ is not None:
            if config.host:  # behind the environment's own domain
                static.front_door(environ, config.host)
            try:
                return _shape_rest(_run(application, environ))
            finally:
                if _opened:  # the view opened a connection
                    _after(config.persist_db, True)
    ekind = events.kind(event)
    persist = config.persist_db
    http = ekind in _HTTP_KINDS
    if _opened:
        _before(persist, http)
    try:
        if http:
            return _http(event, ekind, context)
        if ekind == events.WARMUP:
            return _warmup(context)
        if ekind == events.MANAGE or ekind == events.DATABASE:
            from . import control

            return control.handle(ekind, event, context)
        return _appsync(event, ekind)
    finally:
        if _opened:
            _after(persist, http)
