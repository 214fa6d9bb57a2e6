"""The per-event hot paths give what the general code gives.

events.environ takes a shortcut for the usual payload 2.0 header map and
falls back to the general loop (events._single_headers) otherwise; wsgi._shape_v2 encodes the body inline.
These tests feed them the inputs that must fall back or take the other
branches and compare with the general code.
"""
import unittest

import support
from django_serverless import events, wsgi


def general_headers(headers):
    """The environ entries of a header map by the general loop only."""
    env = {}
    for name, value in headers.items():
        if value is None:
            continue
        key = events._key(name)
        if key:
            events._put(env, key, events._str(value, "headers", name))
    return env


class HeaderMaps(unittest.TestCase):
    CASES = {
        "usual": {"accept": "*/*", "host": "h.example", "content-length": "0", "content-type": "text/plain"},
        "two names one key": {"X-Multi": "one", "x-multi": "two", "accept": "*/*"},
        "content-length twice": {"Content-Length": "1", "content-length": "2", "x-a": "b"},
        "content-type twice": {"Content-Type": "a/b", "content-type": "c/d"},
        "cookie twice": {"Cookie": "a=1", "cookie": "b=2"},
        "none value": {"x-a": None, "x-b": "1"},
        "int value": {"x-a": 5, "x-b": "1"},
        "non-ascii value": {"x-a": "caf\u00e9", "x-b": "1"},
        "empty": {},
        "empty value": {"x-a": ""},
        "underscore and dash": {"x_a": "1", "x-a": "2"},
    }

    def test_environ_entries_equal_general_loop_cold_and_warm(self):
        for name, headers in self.CASES.items():
            want = general_headers(headers)
            for attempt in ("first", "names seen before"):
                e = support.http("/echo/")
                e["headers"] = dict(headers)
                env = events.environ(e, events.HTTP, "")
                got = {k: v for k, v in env.items() if k.startswith("HTTP_") or k.startswith("CONTENT_")}
                got.pop("CONTENT_LENGTH")  # from the body, never from a header
                if "HTTP_HOST" not in want:
                    self.assertEqual(got.pop("HTTP_HOST"), e["requestContext"]["domainName"], name)
                self.assertEqual(got, want, "%s, %s" % (name, attempt))
                self.assertEqual(list(got), list(want), "%s, %s: order" % (name, attempt))

    def test_repeated_names_joined_through_handle(self):
        e = support.http("/echo/")
        e["headers"]["X-Multi"] = "one"
        e["headers"]["x-multi"] = "two"
        for _ in range(2):
            got = support.body_json(support.invoke(e))
            self.assertEqual(got["headers"]["HTTP_X_MULTI"], "one,two")


def response(headers, body=b"x", status="200 OK"):
    r = wsgi.Response()
    r.status = status
    r.headers = headers
    r.chunks = [body] if body is not None else []
    return r


class ResponseShapes(unittest.TestCase):
    CASES = {
        "usual json": [("Content-Type", "application/json"), ("Content-Length", "1")],
        "no content type": [("X-A", "1")],
        "binary": [("Content-Type", "image/png")],
        "gzip": [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")],
        "identity encoding": [("Content-Type", "text/plain"), ("Content-Encoding", " identity ")],
        "repeated name": [("Vary", "Cookie"), ("vary", "Accept"), ("Content-Type", "text/html")],
        "set-cookie": [("Content-Type", "text/html"), ("Set-Cookie", " a=1; Path=/"), ("Set-Cookie", "b=2")],
        "leading space": [("Content-Type", " text/html"), ("X-A", "1")],
        "trailing space": [("X-A", "1 "), ("Content-Type", "text/html")],
        "inner newline space": [("X-A", "a\n b"), ("Content-Type", "text/html")],
        "no headers": [],
    }

    def test_shape_v2_body_encoding_equals_encode_body(self):
        for name, headers in self.CASES.items():
            for body in (b"x", b"", b"\xff\xfe", None):
                got = wsgi._shape_v2(response(list(headers), body))
                want = wsgi.encode_body(headers, body or b"")
                self.assertEqual((got["body"], got["isBase64Encoded"]), want, "%s, body %r" % (name, body))
                keys = ["statusCode", "headers", "cookies", "body", "isBase64Encoded"]
                if "cookies" not in got:
                    keys.remove("cookies")
                self.assertEqual(list(got), keys, name)


if __name__ == "__main__":
    unittest.main()
