"""Event kinds and the HTTP event -> WSGI environ mapping.

API Gateway REST (payload 1.0), HTTP API / Function URL (payload 2.0) and ALB
target events become a PEP 3333 environ. The rules, and why:

* SCRIPT_NAME comes from configuration (DJANGO_SERVERLESS_SCRIPT_NAME), never
  from the Host header. The prefix is removed from the request path only on
  a path-segment boundary, so a stage ``/prod`` never eats ``/products``.
  For REST events the full client path is ``requestContext.path`` (it carries
  the stage, or a custom domain's base path) and ``path`` is the path below
  the stage; for payload 2.0 ``rawPath`` is the client path.
* Query strings: REST ``multiValueQueryStringParameters`` win over the
  single-value map (API Gateway has decoded both, so they are re-encoded);
  payload 2.0 ``rawQueryString`` is used verbatim; ALB hands over parameters
  exactly as the client sent them (still encoded), so they are joined, not
  encoded again. Null maps mean no query string.
* PATH_INFO is percent-decoded UTF-8 carried in a latin-1 str (PEP 3333).
  HTTP APIs deliver ``rawPath`` decoded already, so it is not decoded twice;
  REST, Function URL and ALB paths keep the client's encoding.
* REMOTE_ADDR comes from ``requestContext`` (the source IP API Gateway saw),
  never from a client-supplied X-Forwarded-For. ALB has no such field: its
  own rightmost X-Forwarded-For entry is the address it saw.
"""

import base64
import binascii
import re
import sys
from io import BytesIO
from urllib.parse import quote, unquote

#: Event kinds returned by :func:`kind`.
WARMUP = "warmup"
REST = "rest"  # API Gateway REST API, and HTTP API payload format 1.0
HTTP = "http"  # API Gateway HTTP API payload format 2.0
URL = "url"  # Lambda Function URL (payload 2.0 shape)
ALB = "alb"
APPSYNC = "appsync"
APPSYNC_BATCH = "appsync-batch"
MANAGE = "manage"  # a management command (django_serverless.control)
DATABASE = "database"  # the pr-<N> preview's database (django_serverless.control)

#: Lambda's synchronous payload limit; a larger body cannot be genuine.
MAX_BODY = 6 * 1024 * 1024

WARMUP_KEY = "django_serverless"
WARMUP_VALUE = "warmup"


class BadEvent(Exception):
    """A recognised HTTP event whose content is malformed (answered 4xx)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class UnknownEvent(ValueError):
    """An event of no kind this runtime handles."""


def describe(event):
    """A short description of an unknown event: its keys, or its type."""
    if isinstance(event, dict):
        keys = ", ".join(sorted(str(k) for k in event)) or "(none)"
        return "event keys: " + keys
    if isinstance(event, list):
        return "a list of %d items that are not AppSync resolver events" % len(event)
    return "an event of type %s" % type(event).__name__


def _is_appsync(event):
    return (
        isinstance(event, dict)
        and isinstance(event.get("info"), dict)
        and "fieldName" in event["info"]
        and "arguments" in event
    )


def kind(event):
    """Return the kind of event, or raise UnknownEvent naming its keys."""
    if type(event) is dict and "requestContext" in event and WARMUP_KEY not in event:
        # Fast paths, the usual REST and HTTP API / Function URL events; the
        # general rules below give the same answers for them.
        ctx = event["requestContext"]
        if type(ctx) is dict and "elb" not in ctx:
            if "version" not in event:
                if "httpMethod" in event:
                    return REST
            elif event["version"] == "2.0":
                if "http" in ctx:
                    domain = ctx["domainName"] if "domainName" in ctx else ""
                    return URL if type(domain) is str and ".lambda-url." in domain else HTTP
            elif "httpMethod" in event:
                return REST
    if isinstance(event, dict):
        if WARMUP_KEY in event:
            control = event.get(WARMUP_KEY)
            if control == WARMUP_VALUE:
                return WARMUP
            if control == MANAGE or control == DATABASE:
                return control
            raise UnknownEvent(
                "django_serverless: unknown control event %r (want %r, %r or %r)"
                % (control, WARMUP_VALUE, MANAGE, DATABASE)
            )
        ctx = event.get("requestContext")
        if isinstance(ctx, dict) and "elb" in ctx:
            return ALB
        if event.get("version") == "2.0" and ("rawPath" in event or isinstance(ctx, dict) and "http" in ctx):
            domain = ctx.get("domainName", "") if isinstance(ctx, dict) else ""
            if isinstance(domain, str) and ".lambda-url." in domain:
                return URL
            return HTTP
        if "httpMethod" in event and ("path" in event or "requestContext" in event):
            return REST
        if _is_appsync(event):
            return APPSYNC
    elif isinstance(event, list) and event and all(_is_appsync(e) for e in event):
        return APPSYNC_BATCH
    raise UnknownEvent("django_serverless: unrecognised event, " + describe(event))


# --- helpers -----------------------------------------------------------------


def _map(event, key):
    """event[key] as a dict; None and a missing key give {}."""
    value = event.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadEvent("event field %s must be an object, not %s" % (key, type(value).__name__))
    return value


def _str(value, what, key=None):
    if type(value) is str:
        return value
    if key is not None:
        what = "%s.%s" % (what, key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadEvent("event field %s must be a string, not %s" % (what, type(value).__name__))
    return str(value)


def _latin1(text):
    """A str of unicode text -> its UTF-8 bytes seen as latin-1 (PEP 3333)."""
    return text.encode("utf-8").decode("latin-1")


def _path_info(path):
    if "%" in path:
        path = unquote(path, encoding="utf-8", errors="replace")
    if path.isascii():
        return path
    return _latin1(path)


def strip_prefix(path, prefix):
    """Remove prefix from path on a segment boundary; None if it does not match."""
    if not prefix:
        return None
    if path == prefix:
        return "/"
    if path.startswith(prefix + "/"):
        return path[len(prefix):]
    return None


def normalise_script_name(value):
    value = (value or "").strip()
    if not value or value == "/":
        return ""
    if not value.startswith("/"):
        value = "/" + value
    return value.rstrip("/")


def _body(event):
    body = event.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        raise BadEvent("event field body must be a string, not %s" % type(body).__name__)
    elif event.get("isBase64Encoded"):
        if len(body) > (MAX_BODY * 4) // 3 + 4:
            raise BadEvent("request body larger than 6 MB", status=413)
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadEvent("event body is marked isBase64Encoded but is not valid base64")
    else:
        data = body.encode("utf-8")
    if len(data) > MAX_BODY:
        raise BadEvent("request body larger than 6 MB", status=413)
    return data


def _encode_pairs(pairs):
    return "&".join(quote(k, safe="") + "=" + quote(v, safe="") for k, v in pairs)


# Characters quote(..., safe="") leaves alone (RFC 3986 unreserved).
_unreserved = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def _pairs(event):
    """Query pairs from the multi-value map, else the single map."""
    multi = _map(event, "multiValueQueryStringParameters")
    pairs = []
    if multi:
        for name, values in multi.items():
            if values is None:
                continue
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list):
                raise BadEvent("event field multiValueQueryStringParameters.%s must be a list" % name)
            for v in values:
                pairs.append((str(name), _str(v, "multiValueQueryStringParameters", name)))
        return pairs
    for name, value in _map(event, "queryStringParameters").items():
        pairs.append((str(name), _str(value, "queryStringParameters", name)))
    return pairs


# --- environ -----------------------------------------------------------------


# Header name as sent -> environ key ("" for Content-Length, which is dropped:
# the body handed over is authoritative). Names repeat across events.
_KEYS = {}


def _key(name):
    key = _KEYS.get(name)
    if key is None:
        lname = str(name).lower()
        if lname == "content-type":
            key = "CONTENT_TYPE"
        elif lname == "content-length":
            key = ""
        else:
            key = "HTTP_" + lname.upper().replace("-", "_")
        if len(_KEYS) < 4096:
            _KEYS[name] = key
    return key


def _put(env, key, value):
    """Set a header in env; a repeat joins with ', ' rules of its kind."""
    if not value.isascii():
        value = _latin1(value)
    old = env.get(key)
    if old is None:
        env[key] = value
    elif key == "HTTP_COOKIE":
        env[key] = old + "; " + value
    elif key == "CONTENT_TYPE":
        env[key] = value
    else:
        env[key] = old + "," + value


def _single_headers(env, headers):
    """Put a name -> value header map into env, an environ holding only base
    entries and maybe what an interrupted hot path (environ) put in."""
    for name in headers:  # undo the hot path; repeats are joined below
        key = _KEYS.get(name)
        if key is not None:
            env.pop(key, None)
    for name, value in headers.items():
        if value is None:
            continue
        if type(value) is not str:
            value = _str(value, "headers", name)
        key = _KEYS.get(name)
        if key is None:
            key = _key(name)
        if key and key not in env and value.isascii():
            env[key] = value
        elif key:
            _put(env, key, value)


# Header-name tuple of a REST event -> (base, environ template, keys): the
# translation of a set of names is done once. A function's clients send few
# distinct sets (the same browsers and SDKs, through the same CloudFront);
# bounded anyway. None marks a set the hot path cannot take (two names
# giving one key).
_KEYSETS = {}
_LIST = {list}


# The entries _rest_environ sets after the headers, in this order: a
# template holds them already, so setting them replaces values and never
# grows the dict.
_REST_TAIL = (
    "CONTENT_LENGTH", "wsgi.input", "REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT",
    "SERVER_PROTOCOL", "REMOTE_ADDR", "wsgi.url_scheme", "wsgi.errors", "django_serverless.event", "django_serverless.context",
)


def _keyset(base, names):
    keys = tuple(_key(n) for n in names)
    named = [k for k in keys if k]
    if len(set(named)) != len(named):
        return None
    template = base.copy()
    template.update(dict.fromkeys(keys))
    template.pop("", None)
    template.update(dict.fromkeys(_REST_TAIL))
    return base, template, keys


def _multi_headers(env, event):
    multi = _map(event, "multiValueHeaders")
    if not multi:
        _single_headers(env, _map(event, "headers"))
        return
    for name, values in multi.items():
        if values is None:
            continue
        if type(values) is str:
            values = [values]
        elif not isinstance(values, list):
            raise BadEvent("event field multiValueHeaders.%s must be a list" % name)
        key = _KEYS.get(name)
        if key is None:
            key = _key(name)
        if not key:
            continue
        for value in values:
            if type(value) is not str:
                value = _str(value, "multiValueHeaders", name)
            _put(env, key, value)


# The environ entries that are the same for every event of a kind under a
# SCRIPT_NAME, copied into each environ (one copy, no per-key rebuilding).
# Keyed by (kind, script_name): a function has one script name, so this
# stays tiny; bounded anyway.
_BASES = {}


# The same bases of REST events, by script name alone (no key tuple to build).
_REST_BASES = {}


def _base(ekind, script_name):
    base = _BASES.get((ekind, script_name))
    if base is None:
        base = {
            "SCRIPT_NAME": script_name,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "django_serverless.kind": ekind,
        }
        if len(_BASES) < 64:
            _BASES[(ekind, script_name)] = base
            if ekind == REST:
                _REST_BASES[script_name] = base
    return base


def environ(event, ekind, script_name, context=None):
    """Build the WSGI environ for an HTTP event of kind ekind."""
    if ekind == REST:
        env = _rest_environ(event, script_name, context)
        if env is not None:
            return env
    return _environ(event, ekind, script_name, context)


_UPPER = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


def _rest_environ(event, script_name, context):
    """The environ of the usual REST event, or None for the general code
    (_environ), which gives the same environ for every event this accepts.

    It takes any event (the handler tries it first): what kind() would
    not call REST gets None. The usual event: every multiValueHeaders value a one-item list of an
    ASCII str, no two names giving one key, a Host header without a port,
    X-Forwarded-Proto https or absent, X-Forwarded-Port digits or absent, no
    query parameter or one with one value of unreserved characters, every
    field API Gateway always sends, the function's own (normalised) script
    name. Written for the fewest interpreter steps: indexing inside one try
    rather than get(), the header values put into a copy of their name
    set's template in one C-level update (_KEYSETS).
    """
    try:
        ctx = event["requestContext"]
        method = event["httpMethod"]
        below = event["path"]
        multi = event["multiValueHeaders"]
        mq = event["multiValueQueryStringParameters"]
        body = event["body"]
        protocol = ctx["protocol"]
        remote = ctx["identity"]["sourceIp"]
        base = _REST_BASES[script_name]
    except (KeyError, TypeError):  # not a REST event, or an unusual one
        return None
    # kind()'s rules: not a warm-up, not an ALB event, not payload 2.0.
    if WARMUP_KEY in event or type(ctx) is not dict or "elb" in ctx or "version" in event and event["version"] == "2.0":
        return None
    if type(method) is not str or not method or type(below) is not str or not below or type(multi) is not dict or not multi:
        return None

    items = multi.values()
    try:
        values = [v for (v,) in items]  # ValueError: not one value; TypeError: not a sequence
        if not "".join(values).isascii():  # TypeError: a value not a str
            return None
    except (TypeError, ValueError):
        return None
    if set(map(type, items)) != _LIST:  # a one-key object or a one-char str is no list
        return None
    names = tuple(multi)
    entry = _KEYSETS.get(names, _UNSEEN)
    if entry is _UNSEEN or entry is not None and entry[0] is not base:
        entry = _keyset(base, names)
        if len(_KEYSETS) < 256:
            _KEYSETS[names] = entry
    if entry is None:
        return None
    env = entry[1].copy()
    env.update(zip(entry[2], values))
    if "" in env:  # Content-Length: the body handed over is authoritative
        del env[""]

    if mq is None:
        if "queryStringParameters" in event and event["queryStringParameters"] is not None:
            return None
        query = ""
    else:
        try:
            ((name, values),) = mq.items()  # one parameter (AttributeError: not an object)
            (value,) = values  # one value
            query = name + "=" + value  # TypeError: not a str
        except (AttributeError, TypeError, ValueError):
            return None
        if type(values) is not list or not (query.isascii() and (name + value).isalnum() or _unreserved(name + value)):
            return None

    if "HTTP_HOST" not in env:
        return None
    host = env["HTTP_HOST"]
    if not host or ":" in host:
        return None
    if "HTTP_X_FORWARDED_PROTO" in env and env["HTTP_X_FORWARDED_PROTO"] != "https":
        return None
    if "HTTP_X_FORWARDED_PORT" in env:
        port = env["HTTP_X_FORWARDED_PORT"]
        if not port.isdigit():
            return None
    else:
        port = "443"

    path = below
    if script_name:
        rc_path = ctx["path"] if "path" in ctx else None
        stripped = strip_prefix(rc_path if type(rc_path) is str and rc_path.endswith(below) else below, script_name)
        if stripped is not None:
            path = stripped
    if path[0] != "/":
        path = "/" + path
    if "%" in path or not path.isascii():
        path = _path_info(path)

    if body is None:
        length = "0"
        stream = BytesIO()
    else:
        body = _body(event)
        length = str(len(body))
        stream = BytesIO(body)
    if protocol != "HTTP/1.1" and not (type(protocol) is str and protocol.startswith("HTTP/")):
        protocol = "HTTP/1.1"
    if type(remote) is not str or not remote:
        remote = "127.0.0.1"

    env["CONTENT_LENGTH"] = length
    env["wsgi.input"] = stream
    env["REQUEST_METHOD"] = method if method in _UPPER else method.upper()
    env["PATH_INFO"] = path
    env["QUERY_STRING"] = query
    env["SERVER_NAME"] = host
    env["SERVER_PORT"] = port
    env["SERVER_PROTOCOL"] = protocol
    env["REMOTE_ADDR"] = remote
    env["wsgi.url_scheme"] = "https"
    env["wsgi.errors"] = sys.stderr
    env["django_serverless.event"] = event
    env["django_serverless.context"] = context
    if "authorizer" in ctx:
        auth = ctx["authorizer"]
        if type(auth) is dict:  # _authorizer inlined for its usual keys
            env["django_serverless.authorizer"] = auth
            principal = auth["principalId"] if "principalId" in auth else None
            if principal is None and "lambda" in auth and type(auth["lambda"]) is dict:
                principal = auth["lambda"].get("principalId")
            if principal is not None:
                env["django_serverless.principal_id"] = principal
            claims = auth["claims"] if "claims" in auth else None
            if claims is None and "jwt" in auth and type(auth["jwt"]) is dict:
                claims = auth["jwt"].get("claims")
            if type(claims) is dict:
                env["django_serverless.claims"] = claims
    return env


_UNSEEN = object()


def _authorizer(env, auth):
    """The authorizer's context, principal and claims, for the views
    (``in`` and indexing: cheaper than get() for the keys present)."""
    env["django_serverless.authorizer"] = auth
    principal = auth["principalId"] if "principalId" in auth else None
    if principal is None and "lambda" in auth and type(auth["lambda"]) is dict:
        principal = auth["lambda"].get("principalId")
    if principal is not None:
        env["django_serverless.principal_id"] = principal
    claims = auth["claims"] if "claims" in auth else None
    if claims is None and "jwt" in auth and type(auth["jwt"]) is dict:
        claims = auth["jwt"].get("claims")
    if type(claims) is dict:
        env["django_serverless.claims"] = claims


def _environ(event, ekind, script_name, context=None):
    """The general environ of an HTTP event (with the payload 2.0 hot path)."""
    if script_name and (script_name[0] != "/" or script_name[-1] == "/"):
        script_name = normalise_script_name(script_name)
    ctx = event.get("requestContext")
    if ctx is None:
        ctx = {}
    elif type(ctx) is not dict:
        raise BadEvent("event field requestContext must be an object, not %s" % type(ctx).__name__)
    base = _BASES.get((ekind, script_name))
    if base is None:
        base = _base(ekind, script_name)
    if ekind == HTTP or ekind == URL:
        env = base.copy()
        http = ctx.get("http")
        if type(http) is not dict:
            http = {}
        method = http.get("method") or event.get("httpMethod")
        raw_path = event.get("rawPath") or http.get("path") or "/"
        if type(raw_path) is not str:
            raw_path = _str(raw_path, "rawPath") or "/"
        full = below = raw_path
        query = event.get("rawQueryString") or ""
        if type(query) is not str:
            query = _str(query, "rawQueryString")
        headers = event.get("headers")
        if headers:
            if type(headers) is not dict:
                raise BadEvent("event field headers must be an object, not %s" % type(headers).__name__)
            # Hot path (the usual event): every value an ASCII str (the join
            # raises TypeError on None and other types), every name
            # translated before (else KeyError), no two names giving one key
            # (env then grows by one entry a header). Content-Length's ""
            # key is dropped after. Anything else: the general loop.
            try:
                fast = "".join(headers.values()).isascii()
                if fast:
                    size = len(env) + len(headers)
                    for name, value in headers.items():
                        env[_KEYS[name]] = value
                    fast = len(env) == size
            except (TypeError, KeyError):
                fast = False
            if fast:
                env.pop("", None)
            else:
                _single_headers(env, headers)
        cookies = event.get("cookies")
        if cookies is not None:
            if not isinstance(cookies, list):
                raise BadEvent("event field cookies must be a list")
            for c in cookies:
                _put(env, "HTTP_COOKIE", _str(c, "cookies"))
        remote = http.get("sourceIp")
        protocol = http.get("protocol")
    elif ekind == REST:
        method = event.get("httpMethod")
        below = event.get("path")
        if type(below) is not str:
            below = _str(below, "path")
        if not below:
            below = "/"
        rc_path = ctx.get("path")
        full = rc_path if type(rc_path) is str and rc_path.endswith(below) else below
        query = _encode_pairs(_pairs(event))
        identity = ctx.get("identity")
        remote = identity.get("sourceIp") if type(identity) is dict else None
        env = base.copy()
        _multi_headers(env, event)
        protocol = ctx.get("protocol")
    else:  # ALB: parameters arrive exactly as sent, still encoded
        method = event.get("httpMethod")
        below = _str(event.get("path"), "path") or "/"
        full = below
        query = "&".join(k + "=" + v for k, v in _pairs(event))
        env = base.copy()
        _multi_headers(env, event)
        remote = None
        xff = env.get("HTTP_X_FORWARDED_FOR")
        if xff:
            remote = xff.split(",")[-1].strip()
        protocol = ctx.get("protocol")
    if not method:
        raise BadEvent("event has no HTTP method")
    if type(method) is not str:
        method = _str(method, "httpMethod")

    path = below
    if script_name:
        stripped = strip_prefix(full, script_name)
        if stripped is not None:
            path = stripped
    if not path.startswith("/"):
        path = "/" + path

    body = event.get("body")
    if body is None:  # the common GET: no body to decode or check
        length = "0"
        stream = BytesIO()
    else:
        body = _body(event)
        length = str(len(body))
        stream = BytesIO(body)

    proto = env.get("HTTP_X_FORWARDED_PROTO")
    if proto is None or proto == "https":
        scheme = "https"
    else:
        proto = proto.split(",")[0].strip().lower()
        scheme = proto if proto == "http" or proto == "https" else "https"
    host = env.get("HTTP_HOST")
    if not host:
        host = ctx.get("domainName")
        if not host or type(host) is not str:
            host = "localhost"
        # Same key order as ever: CONTENT_LENGTH, wsgi.input, HTTP_HOST.
        env["CONTENT_LENGTH"] = length
        env["wsgi.input"] = stream
        env["HTTP_HOST"] = host
    if ":" in host:
        name, _, port = host.partition(":")
    else:
        name, port = host, ""
    if not port:
        port = env.get("HTTP_X_FORWARDED_PORT")
        if port is None or not port.isdigit():
            port = (port or "").split(",")[0].strip()
            if not port.isdigit():
                port = "443" if scheme == "https" else "80"

    env["CONTENT_LENGTH"] = length
    env["wsgi.input"] = stream
    env["REQUEST_METHOD"] = method if method.isupper() else method.upper()
    if ekind == HTTP:
        # An HTTP API hands rawPath over already percent-decoded (a client's
        # /a%2541 arrives as /a%41; live captures agree, AWS's docs are
        # silent): decoding it again would change the path. Function URLs,
        # REST APIs and ALB keep the client's encoding and are decoded here.
        env["PATH_INFO"] = path if path.isascii() else _latin1(path)
    else:
        env["PATH_INFO"] = path if "%" not in path and path.isascii() else _path_info(path)
    env["QUERY_STRING"] = query
    env["SERVER_NAME"] = name
    env["SERVER_PORT"] = port
    env["SERVER_PROTOCOL"] = protocol if protocol == "HTTP/1.1" or type(protocol) is str and protocol.startswith("HTTP/") else "HTTP/1.1"
    env["REMOTE_ADDR"] = remote if type(remote) is str and remote else "127.0.0.1"
    env["wsgi.url_scheme"] = scheme
    env["wsgi.errors"] = sys.stderr
    env["django_serverless.event"] = event
    env["django_serverless.context"] = context

    auth = ctx.get("authorizer")
    if type(auth) is dict:
        _authorizer(env, auth)
    return env
