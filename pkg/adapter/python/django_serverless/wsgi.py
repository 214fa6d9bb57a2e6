"""Run a WSGI application on an environ and shape the Lambda response.

The response iterable is always ``close()``d (Django sends
``request_finished`` from there). ``start_response`` follows PEP 3333: a
second call needs ``exc_info``, and once body bytes exist the exception in
``exc_info`` is re-raised instead of replacing the headers.
"""

import base64

from . import events

# Content types that stay text when the body is valid UTF-8 and not
# content-encoded. Everything else goes out base64-encoded.
_TEXT_PREFIXES = ("text/",)
_TEXT_TYPES = (
    "application/json",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "application/xhtml+xml",
    "application/graphql",
    "application/x-www-form-urlencoded",
    "image/svg+xml",
)
_TEXT_SUFFIXES = ("+json", "+xml")


class Response:
    """A buffered WSGI response: status line, header list, body bytes."""

    __slots__ = ("status", "headers", "chunks")

    def __init__(self):
        self.status = None
        self.headers = []
        self.chunks = []

    @property
    def status_code(self):
        return int(self.status.split(" ", 1)[0])

    @property
    def body(self):
        return b"".join(self.chunks)

    def start_response(self, status, headers, exc_info=None):
        if exc_info is not None:
            try:
                if self.status is not None and any(self.chunks):
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # no reference cycle through the traceback
        elif self.status is not None:
            raise AssertionError("start_response called a second time without exc_info")
        self.status = status
        self.headers = list(headers)
        return self.chunks.append


def run(app, environ):
    """Call app(environ, start_response); return the buffered Response."""
    response = Response()
    result = app(environ, response.start_response)
    try:
        for chunk in result:
            if chunk:
                response.chunks.append(chunk)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if response.status is None:
        raise RuntimeError("WSGI application returned without calling start_response")
    return response


def _textual(ctype):
    ctype = ctype.split(";", 1)[0].strip().lower()
    return ctype.startswith(_TEXT_PREFIXES) or ctype in _TEXT_TYPES or ctype.endswith(_TEXT_SUFFIXES)


# Content-Type value -> textual? A function answers with few distinct values.
_TEXTUAL = {}


def _is_text(ctype):
    text = _TEXTUAL.get(ctype)
    if text is None:
        text = _textual(ctype)
        if len(_TEXTUAL) < 256:
            _TEXTUAL[ctype] = text
    return text


def _encode(body, text):
    if not body:
        return "", False
    if text:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def encode_body(headers, body):
    """(body text, isBase64Encoded): text when the content type is textual,
    the body valid UTF-8 and not content-encoded; base64 otherwise."""
    if not body:
        return "", False
    text = False
    for name, value in headers:
        lname = name.lower()
        if lname == "content-type":
            text = _is_text(value)
        elif lname == "content-encoding" and value.strip().lower() not in ("", "identity"):
            text = False
            break
    if text:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def _clean(value):
    # Header values lose surrounding whitespace as an HTTP server would
    # (Django's own Set-Cookie values start with a space).
    if value[:1] == " " or value[-1:] == " ":
        return value.strip()
    return value


# Status line -> code: Django sends few distinct lines; int() of a slice
# costs more than a lookup.
_CODES = {}


def _code(status):
    code = int(status[:3])
    if len(_CODES) < 256:
        _CODES[status] = code
    return code


def _shape_v2(response):
    """Payload 2.0 response: lower-case headers joined with ',', Set-Cookie
    values in ``cookies``; one pass over the headers (body encoding as
    :func:`encode_body`)."""
    headers = {}
    cookies = None
    ctype = None
    coded = False
    for name, value in response.headers:
        lname = name.lower()
        if value and (value[0] == " " or value[-1] == " "):  # indexing, no slice objects
            value = value.strip()
        if lname == "set-cookie":
            if cookies is None:
                cookies = [value]
            else:
                cookies.append(value)
            continue
        if lname in headers:
            headers[lname] = headers[lname] + "," + value
        else:
            headers[lname] = value
        if lname == "content-type":
            if not coded:
                ctype = value
        elif lname == "content-encoding" and value.strip().lower() not in ("", "identity"):
            coded = True
    chunks = response.chunks
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    # _encode inlined for the usual text body
    b64 = False
    if not body:
        body = ""
    elif ctype is not None and not coded and _is_text(ctype):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            body, b64 = _encode(body, False)
    else:
        body, b64 = _encode(body, False)
    code = _CODES.get(response.status)
    if code is None:
        code = _code(response.status)
    if cookies:
        return {"statusCode": code, "headers": headers, "cookies": cookies, "body": body, "isBase64Encoded": b64}
    return {"statusCode": code, "headers": headers, "body": body, "isBase64Encoded": b64}


def _shape_rest(response):
    """REST (payload 1.0) response: headers as sent, values in
    ``multiValueHeaders`` lists; one pass over the headers (body encoding as
    :func:`encode_body`, values cleaned as :func:`_clean`). Written for the
    fewest interpreter calls (Django's own spelling of Content-Type is
    matched without lower(); ``in`` and indexing rather than get())."""
    multi = {}
    ctype = None
    coded = False
    for name, value in response.headers:
        if value and (value[0] == " " or value[-1] == " "):
            value = value.strip()
        if name in multi:
            multi[name].append(value)
        else:
            multi[name] = [value]
        if name == "Content-Type":
            if not coded:
                ctype = value
        elif name[:1] in "cC":
            lname = name.lower()
            if lname == "content-type":
                if not coded:
                    ctype = value
            elif lname == "content-encoding" and value.strip().lower() not in ("", "identity"):
                coded = True
    chunks = response.chunks
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    b64 = False
    if not body:
        body = ""
    elif ctype is not None and not coded and (_TEXTUAL[ctype] if ctype in _TEXTUAL else _is_text(ctype)):
        try:
            body = body.decode()
        except UnicodeDecodeError:
            body, b64 = _encode(body, False)
    else:
        body, b64 = _encode(body, False)
    status = response.status
    return {"statusCode": _CODES[status] if status in _CODES else _code(status), "multiValueHeaders": multi, "body": body, "isBase64Encoded": b64}


def shape(response, ekind, event):
    """The Lambda return value for an HTTP event of kind ekind."""
    if ekind == events.HTTP or ekind == events.URL:
        return _shape_v2(response)
    raw = response.headers
    body, b64 = encode_body(raw, b"".join(response.chunks))
    status = response.status
    code = int(status[:3])
    multi = {}
    for name, value in raw:
        value = _clean(value)
        if name in multi:
            multi[name].append(value)
        else:
            multi[name] = [value]
    out = {"statusCode": code}
    if ekind == events.ALB:
        out["statusDescription"] = status
        if event.get("multiValueHeaders") is None:
            # Multi-value headers are off on this target group: one value a
            # name; repeated Set-Cookie cannot be expressed and keeps the last.
            out["headers"] = {k: v[-1] for k, v in multi.items()}
        else:
            out["multiValueHeaders"] = multi
    else:
        out["multiValueHeaders"] = multi
    out["body"] = body
    out["isBase64Encoded"] = b64
    return out


def error_response(ekind, status, message):
    """A small plain-text response for a malformed event (no internals)."""
    reason = {400: "Bad Request", 413: "Payload Too Large"}.get(status, "Error")
    fake = Response()
    fake.status = "%d %s" % (status, reason)
    fake.headers = [("Content-Type", "text/plain; charset=utf-8")]
    fake.chunks = [(message + "\n").encode("utf-8")]
    return shape(fake, ekind, {})
