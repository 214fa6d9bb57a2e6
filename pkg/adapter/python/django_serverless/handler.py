"""The Lambda entry point: ``django_serverless.handler.handle``.

Importing this module sets Django up once per cold start (settings module
from DJANGO_SETTINGS_MODULE) and builds the WSGI handler. Per event:

* warm-up ``{"django_serverless": "warmup"}``: answered at once, no
  middleware; with persist_db the database connections are opened here;
* API Gateway REST / HTTP API, Function URL, ALB: the full Django request
  pipeline through its WSGI handler, answered in the event's response shape;
* AppSync direct resolver (single or batch): the field executed against the
  project's graphene schema;
* anything else: UnknownEvent naming the event's keys.

Environment (set by the templates and by ``invoke``):
DJANGO_SERVERLESS_SCRIPT_NAME, DJANGO_SERVERLESS_PERSIST_DB (1/0),
DJANGO_SERVERLESS_FUNCTION, DJANGO_SERVERLESS_GRAPHQL_SCHEMA.
"""

import logging
import os

import django

from . import db, events, wsgi

logger = logging.getLogger("django_serverless")


class Config:
    """The function's configuration, read from the environment."""

    __slots__ = ("script_name", "persist_db", "function", "graphql_schema")

    def __init__(self, environ):
        self.script_name = events.normalise_script_name(environ.get("DJANGO_SERVERLESS_SCRIPT_NAME", ""))
        self.persist_db = environ.get("DJANGO_SERVERLESS_PERSIST_DB", "0").strip().lower() in ("1", "true", "yes", "on")
        self.function = environ.get("DJANGO_SERVERLESS_FUNCTION", "")
        self.graphql_schema = environ.get("DJANGO_SERVERLESS_GRAPHQL_SCHEMA", "")


def _setup():
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        raise RuntimeError("django_serverless: DJANGO_SETTINGS_MODULE is not set in the function environment")
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
    return wsgi.shape(wsgi.run(application, environ), ekind, event)


_NOT_HTTP = frozenset((events.WARMUP, events.APPSYNC, events.APPSYNC_BATCH))


def handle(event, context):
    """Lambda handler for every event kind this runtime serves."""
    ekind = events.kind(event)
    persist = config.persist_db
    http = ekind not in _NOT_HTTP
    db.before_event(persist, http)
    try:
        if ekind == events.WARMUP:
            return _warmup(context)
        if ekind == events.APPSYNC:
            from . import appsync

            return appsync.resolve(appsync.load_schema(config.graphql_schema), event)
        if ekind == events.APPSYNC_BATCH:
            from . import appsync

            return appsync.resolve_batch(appsync.load_schema(config.graphql_schema), event)
        return _http(event, ekind, context)
    finally:
        db.after_event(persist, http)
