"""Where the function's database is: DATABASE_URL and its parts.

At cold start, before Django reads its settings, :func:`prepare` puts the
environment's database into the process environment, so that the user's
``DATABASES`` keeps working unchanged. The sources, in order:

* ``DJANGO_SERVERLESS_DATABASE_SECRET``: the ARN of a Secrets Manager secret
  or an SSM parameter (SecureString) holding the database server, read once
  per cold start with the function's own role. Its value is a URL
  (``postgres://user:password@host:5432/name``), a JSON object with a
  ``url`` key, or the JSON object RDS writes for managed credentials
  (``engine``, ``host``, ``port``, ``username``, ``password``, ``dbname``).
* otherwise ``DATABASE_URL`` as configured in the function's environment.

``DJANGO_SERVERLESS_DATABASE_NAME`` (set by the templates for ``pr-<N>``
previews only) replaces the database name: a preview uses a database of its
own on the same server. The result is exported as

* ``DATABASE_URL``: the URL (the dj-database-url / django-environ
  convention), with the preview's database name in it;
* ``DJANGO_SERVERLESS_DATABASE_ENGINE`` (``postgresql``, ``mysql``),
  ``_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_NAME``: the same parts
  for settings that build ``DATABASES`` by hand.

With neither source nothing is set: the settings stay as they are.
Secret values never appear in a message or a log line.
"""

import json
import os
import re
from urllib.parse import quote, unquote, urlsplit

SECRET_VAR = "DJANGO_SERVERLESS_DATABASE_SECRET"
NAME_VAR = "DJANGO_SERVERLESS_DATABASE_NAME"
TEMPLATE_VAR = "DJANGO_SERVERLESS_DATABASE_TEMPLATE"
FIXTURES_VAR = "DJANGO_SERVERLESS_DATABASE_FIXTURES"
#: The marker a preview database is created with (COMMENT ON DATABASE)
#: and must carry to be migrated into or dropped (manage function only).
OWNER_VAR = "DJANGO_SERVERLESS_DATABASE_OWNER"
ENVIRONMENT_VAR = "DJANGO_SERVERLESS_ENVIRONMENT"
#: The database name the secret or URL gave, before a preview replaced it.
SERVER_NAME_VAR = "DJANGO_SERVERLESS_DATABASE_SERVER_NAME"
PARTS = ("ENGINE", "HOST", "PORT", "USER", "PASSWORD", "NAME")

_SCHEMES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
    "postgis": "postgresql",
    "mysql": "mysql",
    "mysql2": "mysql",
}
_URL_SCHEME = {"postgresql": "postgres", "mysql": "mysql"}
_RDS_ENGINES = {"postgres": "postgresql", "postgresql": "postgresql", "aurora-postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql", "aurora-mysql": "mysql", "aurora": "mysql"}

#: A preview database name as the templates make it (Go's
#: config.PreviewDatabaseName): <project>_<hash of the project's identity>_pr_<N>,
#: at most 63 bytes.
PREVIEW_NAME = re.compile(r"^[a-z0-9_]{1,45}_[0-9a-f]{12}_pr_([1-9][0-9]{0,8})$")
PREVIEW_ENV = re.compile(r"^pr-([1-9][0-9]{0,8})$")
#: Go's config.PreviewDatabaseMarker: django-serverless:<owner/repo>:<project>:pr-<N>
#: (no quote, backslash or control character: it is written as a SQL literal).
OWNER_MARKER = re.compile(r"^django-serverless:[^'\\\x00-\x1f\x7f]{1,300}:pr-([1-9][0-9]{0,8})$")
#: Seconds a database found without a marker is watched for one: a
#: concurrent deploy of the same preview marks it right after creating it.
MARKER_WAIT = 3.0


class DatabaseConfigError(RuntimeError):
    """The configured database cannot be used (no secret value is shown)."""


def parse_url(url, where="DATABASE_URL"):
    """The parts of a database URL, as a dict of PARTS (lower-case keys)."""
    try:
        u = urlsplit(url.strip())
        port = u.port
    except ValueError as err:
        raise DatabaseConfigError("%s is not a valid database URL (%s)" % (where, type(err).__name__))
    engine = _SCHEMES.get(u.scheme.lower())
    if engine is None:
        raise DatabaseConfigError(
            "%s: scheme %r is not supported (postgres://, mysql://)" % (where, u.scheme)
        )
    return {
        "engine": engine,
        "host": u.hostname or "",
        "port": str(port or ""),
        "user": unquote(u.username or ""),
        "password": unquote(u.password or ""),
        "name": unquote(u.path.lstrip("/")),
        "query": u.query,
    }


def parse_secret(value, where):
    """The parts of a secret's value: a URL, {"url": ...}, or RDS's JSON."""
    text = value.strip()
    if not text.startswith("{"):
        return parse_url(text, where)
    try:
        data = json.loads(text)
    except ValueError:
        raise DatabaseConfigError("%s: the secret is neither a database URL nor valid JSON" % where)
    if not isinstance(data, dict):
        raise DatabaseConfigError("%s: the secret's JSON is not an object" % where)
    for key in ("url", "URL", "DATABASE_URL", "database_url"):
        if isinstance(data.get(key), str):
            return parse_url(data[key], where)
    engine = _RDS_ENGINES.get(str(data.get("engine", "postgres")).lower())
    if engine is None:
        raise DatabaseConfigError("%s: engine %r is not supported (postgres, mysql)" % (where, data.get("engine")))
    missing = [k for k in ("host", "username", "password") if not data.get(k)]
    if missing:
        raise DatabaseConfigError("%s: the secret's JSON lacks %s (want url, or host, port, username, password, dbname)" % (where, ", ".join(missing)))
    return {
        "engine": engine,
        "host": str(data["host"]),
        "port": str(data.get("port") or ""),
        "user": str(data["username"]),
        "password": str(data["password"]),
        "name": str(data.get("dbname") or data.get("database") or ""),
        "query": "",
    }


def build_url(parts):
    """The URL of parts (user and password percent-encoded)."""
    auth = ""
    if parts["user"]:
        auth = quote(parts["user"], safe="")
        if parts["password"]:
            auth += ":" + quote(parts["password"], safe="")
        auth += "@"
    host = parts["host"]
    if ":" in host and not host.startswith("["):
        host = "[" + host + "]"
    if parts["port"]:
        host += ":" + parts["port"]
    url = "%s://%s%s/%s" % (_URL_SCHEME[parts["engine"]], auth, host, quote(parts["name"], safe=""))
    if parts.get("query"):
        url += "?" + parts["query"]
    return url


def _client(service, environ):
    import boto3  # in the Lambda Python runtime; not needed without a secret

    kwargs = {}
    # Endpoint overrides (tests, VPC endpoints with private DNS off); boto3
    # before 1.28 does not read these by itself.
    endpoint = environ.get("AWS_ENDPOINT_URL_" + service.upper().replace("-", "_")) or environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    return boto3.client(service, **kwargs)


def fetch_secret(arn, environ):
    """The value of a Secrets Manager secret or an SSM parameter."""
    if arn.startswith("arn:") and ":ssm:" in arn:
        name = arn.split(":parameter", 1)[1] if ":parameter" in arn else arn
        if not name.startswith("/"):
            name = "/" + name
        if name.count("/") == 1:
            name = name[1:]  # a parameter without a path has no leading slash
        try:
            resp = _client("ssm", environ).get_parameter(Name=name, WithDecryption=True)
        except Exception as err:  # botocore errors carry no secret value
            raise DatabaseConfigError("read database parameter %s: %s" % (arn, err)) from None
        return resp["Parameter"]["Value"]
    try:
        resp = _client("secretsmanager", environ).get_secret_value(SecretId=arn)
    except Exception as err:
        raise DatabaseConfigError("read database secret %s: %s" % (arn, err)) from None
    value = resp.get("SecretString")
    if value is None:
        raise DatabaseConfigError("database secret %s has no SecretString (binary secrets are not supported)" % arn)
    return value


def resolve(environ, fetch=fetch_secret):
    """The database parts for this function, or None when none is configured."""
    arn = environ.get(SECRET_VAR, "").strip()
    if arn:
        parts = parse_secret(fetch(arn, environ), "database secret " + arn)
    elif environ.get("DATABASE_URL", "").strip():
        parts = parse_url(environ["DATABASE_URL"])
    else:
        return None
    parts["server_name"] = parts["name"]
    name = environ.get(NAME_VAR, "").strip()
    if name:
        parts["name"] = name
    return parts


def prepare(environ=None, fetch=fetch_secret):
    """Export DATABASE_URL and DJANGO_SERVERLESS_DATABASE_* (see module doc)."""
    environ = os.environ if environ is None else environ
    parts = resolve(environ, fetch)
    if parts is None:
        return None
    environ["DATABASE_URL"] = build_url(parts)
    for key in PARTS:
        environ["DJANGO_SERVERLESS_DATABASE_" + key] = parts[key.lower()]
    environ[SERVER_NAME_VAR] = parts["server_name"]
    return parts


# --- the preview database: create, drop, fixtures (run in a child process) ---


class Refused(Exception):
    """A database operation this function must not do; exit status 2."""


def preview_name(environ):
    """The preview's database name, checked against the environment's PR
    number; raises Refused outside pr-<N> previews."""
    name = environ.get(NAME_VAR, "").strip()
    env = environ.get(ENVIRONMENT_VAR, "").strip()
    env_match = PREVIEW_ENV.match(env)
    if not env_match or not name:
        raise Refused(
            "database create/drop is for pr-<N> previews only (this is environment %r); "
            "other environments use the configured database unchanged" % (env or "?")
        )
    name_match = PREVIEW_NAME.match(name)
    if not name_match or len(name) > 63 or name_match.group(1) != env_match.group(1):
        raise Refused("database name %r is not the database of preview %s" % (name, env))
    if name == environ.get(SERVER_NAME_VAR, ""):
        raise Refused("database %r is the configured database itself, not a preview's own" % name)
    return name


def _check_settings(connection, name):
    actual = connection.settings_dict.get("NAME")
    if actual != name:
        raise Refused(
            "DATABASES[%r]['NAME'] is %r, not this preview's database %r: make the settings read "
            "DATABASE_URL or DJANGO_SERVERLESS_DATABASE_NAME (README: A database per preview)"
            % (connection.alias, actual, name)
        )
    if connection.vendor != "postgresql":
        raise Refused("preview databases are created on PostgreSQL only; DATABASES[%r] uses %s" % (connection.alias, connection.vendor))


def owner_marker(environ):
    """The marker this preview's database carries (checked against the
    environment's PR number); raises Refused when it is missing or malformed."""
    marker = environ.get(OWNER_VAR, "").strip()
    env = environ.get(ENVIRONMENT_VAR, "").strip()
    m = OWNER_MARKER.match(marker)
    if not m or "pr-" + m.group(1) != env:
        raise Refused(
            "%s is %r, not the owner marker of preview %s: redeploy the preview with this version "
            "(nothing was created, migrated or dropped)" % (OWNER_VAR, marker, env or "?")
        )
    return marker


def _marker(cursor, name):
    """(exists, comment) of database name on the server."""
    cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    row = cursor.fetchone()
    if row is None:
        return False, None
    return True, row[0]


def _wait_marker(cursor, name):
    """_marker, watching a database without one for MARKER_WAIT seconds
    (a concurrent deploy of the same preview between its CREATE and its
    COMMENT)."""
    import time

    deadline = time.monotonic() + MARKER_WAIT
    while True:
        found, comment = _marker(cursor, name)
        if not found or comment is not None or time.monotonic() >= deadline:
            return found, comment
        time.sleep(0.5)


def _not_ours(name, comment, marker, doing):
    if comment is None:
        whose = "has no django-serverless owner marker (a database of someone else, one made by a version "
        whose += "before the markers, or one a deploy was stopped in before marking it)"
    else:
        whose = "belongs to %r, not to %r" % (comment, marker)
    return Refused(
        "database %r exists but %s: refusing to %s it; nothing was changed. Rename the project "
        "(config: project) if another project uses that name; if it is this preview's, check it and "
        "either drop it (DROP DATABASE \"%s\") or mark it (COMMENT ON DATABASE \"%s\" IS '%s')"
        % (name, whose, doing, name, name, marker)
    )


def check_owner(connection, name, marker):
    """Refuse unless database name exists and carries marker (the guard of
    management commands in a preview)."""
    with connection._nodb_cursor() as cursor:
        found, comment = _marker(cursor, name)
    if not found:
        raise Refused("this preview's database %r does not exist yet: a deploy creates it" % name)
    if comment != marker:
        raise _not_ours(name, comment, marker, "run commands in")


def create(out):
    """Create the preview's database when missing (from the configured
    template database, if any) and mark it as this preview's; a database
    of that name that does not carry the marker is refused. Prints a JSON
    object: {"created": bool}."""
    from django.db import connections

    name = preview_name(os.environ)
    marker = owner_marker(os.environ)
    conn = connections["default"]
    _check_settings(conn, name)
    template = os.environ.get(TEMPLATE_VAR, "").strip()
    qn = conn.ops.quote_name
    with conn._nodb_cursor() as cursor:
        found, comment = _wait_marker(cursor, name)
        if found:
            if comment != marker:
                raise _not_ours(name, comment, marker, "migrate into")
            out.write(json.dumps({"created": False, "database": name}) + "\n")
            return 0
        sql = "CREATE DATABASE %s" % qn(name)
        if template:
            sql += " TEMPLATE %s" % qn(template)
        try:
            cursor.execute(sql)
        except Exception as err:
            # Someone created it in between: another deploy of the same
            # preview (it marks it), or not.
            if getattr(getattr(err, "__cause__", None), "pgcode", None) == "42P04" or getattr(err, "pgcode", None) == "42P04":
                found, comment = _wait_marker(cursor, name)
                if comment != marker:
                    raise _not_ours(name, comment, marker, "migrate into")
                out.write(json.dumps({"created": False, "database": name}) + "\n")
                return 0
            raise
        # The marker is a checked literal (OWNER_MARKER: no quotes, no
        # backslashes); COMMENT takes no bind parameters server-side.
        try:
            cursor.execute("COMMENT ON DATABASE %s IS '%s'" % (qn(name), marker))
        except Exception:
            # Unmarked, the next deploy would refuse it: it was created
            # just now, by this call, so it goes again.
            cursor.execute("DROP DATABASE IF EXISTS %s" % qn(name))
            raise
    out.write(json.dumps({"created": True, "database": name, "template": template or None}) + "\n")
    return 0


def drop(out):
    """Drop the preview's database (closing its other sessions) when it
    carries this preview's marker; one that does not is refused."""
    from django.db import connections

    name = preview_name(os.environ)
    marker = owner_marker(os.environ)
    conn = connections["default"]
    _check_settings(conn, name)
    qn = conn.ops.quote_name
    conn.close()
    with conn._nodb_cursor() as cursor:
        found, comment = _marker(cursor, name)
        if not found:
            out.write(json.dumps({"dropped": False, "database": name}) + "\n")
            return 0
        if comment != marker:
            raise _not_ours(name, comment, marker, "drop")
        cursor.execute("SHOW server_version_num")
        if int(cursor.fetchone()[0]) >= 130000:
            cursor.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % qn(name))
        else:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
            cursor.execute("DROP DATABASE IF EXISTS %s" % qn(name))
    out.write(json.dumps({"dropped": True, "database": name}) + "\n")
    return 0


def fixtures():
    """The configured fixtures to load into a new preview database."""
    raw = os.environ.get(FIXTURES_VAR, "").strip()
    if not raw:
        return []
    if raw.startswith("["):
        return [str(f) for f in json.loads(raw)]
    return [f.strip() for f in raw.split(",") if f.strip()]
