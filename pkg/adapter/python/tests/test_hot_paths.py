"""The per-event hot paths give what the general code gives.

events.environ takes a shortcut for the usual payload 2.0 header map and
falls back to the general loop (events._single_headers) otherwise; for the
usual REST event it builds the whole environ in events._rest_environ and
falls back to the general code (events._environ) for anything else;
wsgi._shape_v2 and wsgi._shape_rest encode the body inline.
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


    def test_shape_rest_equals_general_shape(self):
        for name, headers in self.CASES.items():
            for body in (b"x", b"", b"\xff\xfe", None, b"{}"):
                for status in ("200 OK", "404 Not Found", "599 Custom"):
                    got = wsgi._shape_rest(response(list(headers), body, status))
                    want = wsgi.shape(response(list(headers), body, status), events.REST, {})
                    self.assertEqual(got, want, "%s, body %r" % (name, body))
                    self.assertEqual(list(got), list(want), "%s: key order" % name)
        tricky = [("Content-Type", "text/plain"), ("Content-Encoding", "\tidentity\n"), ("X", " a ")]
        self.assertEqual(wsgi._shape_rest(response(tricky)), wsgi.shape(response(tricky), events.REST, {}))


def rest_env_general(event):
    """The environ header entries of a REST event by the general loop only."""
    env = {}
    events._multi_headers(env, event)
    return env


class RestHeaderMaps(unittest.TestCase):
    CASES = {
        "usual": {"Accept": ["*/*"], "Host": ["h.example"], "Content-Length": ["5"], "Content-Type": ["text/plain"]},
        "two values": {"Accept": ["a/b", "c/d"], "X-A": ["1"]},
        "two cookies": {"Cookie": ["a=1", "b=2"]},
        "two names one key": {"X-Multi": ["one"], "x-multi": ["two"]},
        "content-length twice": {"Content-Length": ["1"], "content-length": ["2"], "x-a": ["b"]},
        "content-type twice": {"Content-Type": ["a/b"], "content-type": ["c/d"]},
        "none list": {"X-A": None, "X-B": ["1"]},
        "str value": {"X-A": "plain", "X-B": ["1"]},
        "one-char str": {"X-A": "p", "X-B": ["1"]},
        "int value": {"X-A": [5], "X-B": ["1"]},
        "none value": {"X-A": [None], "X-B": ["1"]},
        "empty list": {"X-A": [], "X-B": ["1"]},
        "non-ascii": {"X-A": ["caf\u00e9"]},
        "empty value": {"X-A": [""]},
        "empty map": {},
        "unseen name": {"X-Never-Seen-Before-%d": ["1"]},
    }

    def test_environ_entries_equal_general_loop_cold_and_warm(self):
        for i, (name, multi) in enumerate(self.CASES.items()):
            multi = {k.replace("%d", str(i)): v for k, v in multi.items()}
            for attempt in ("first", "names seen before"):
                e = support.rest("/echo/", multiValueHeaders=dict(multi), headers={"X-Single": "only when multi is empty"})
                want = rest_env_general(e)
                env = events.environ(e, events.REST, "")
                got = {k: v for k, v in env.items() if k.startswith("HTTP_") or k.startswith("CONTENT_")}
                got.pop("CONTENT_LENGTH")  # from the body, never from a header
                if "HTTP_HOST" not in want:
                    self.assertEqual(got.pop("HTTP_HOST"), e["requestContext"]["domainName"], name)
                self.assertEqual(got, want, "%s, %s" % (name, attempt))
                self.assertEqual(list(got), list(want), "%s, %s: order" % (name, attempt))

    def test_malformed_maps_rejected_both_ways(self):
        for multi in ({"X-A": {"k": "v"}}, {"X-A": 5}):
            e = support.rest("/echo/", multiValueHeaders=multi)
            with self.assertRaises(events.BadEvent):
                rest_env_general(e)
            with self.assertRaises(events.BadEvent):
                events.environ(e, events.REST, "")


class RestQueryMaps(unittest.TestCase):
    CASES = [
        (None, None),
        (None, {"a": "1"}),
        ({}, {"a": "1"}),
        ({"name": ["me"]}, {"name": "me"}),
        ({"a": ["1"], "b": ["x.y_z-~"]}, None),
        ({"q": ["a b"]}, None),
        ({"q": ["a&b=c"]}, None),
        ({"q": ["caf\u00e9"]}, None),
        ({"caf\u00e9": ["1"]}, None),
        ({"a b": ["1"]}, None),
        ({"a": ["1", "2"]}, None),
        ({"a": ["1"], "b": None}, None),
        ({"a": "plain"}, None),
        ({"a": [1]}, None),
        ({"a": [None]}, None),
        ({"a": []}, None),
        ({"a": [""]}, None),
        ({"": ["1"]}, None),
    ]

    def test_query_equals_general_encoding(self):
        for multi, single in self.CASES:
            e = support.rest("/echo/", multiValueQueryStringParameters=multi, queryStringParameters=single)
            want = events._encode_pairs(events._pairs(e))
            self.assertEqual(events.environ(e, events.REST, "")["QUERY_STRING"], want, (multi, single))

    def test_malformed_query_rejected_both_ways(self):
        for multi in ({"a": {"k": "v"}}, {"a": 5}, ["a"]):
            e = support.rest("/echo/", multiValueQueryStringParameters=multi)
            with self.assertRaises(events.BadEvent):
                events._pairs(e)
            with self.assertRaises(events.BadEvent):
                events.environ(e, events.REST, "")


def comparable(env):
    env = dict(env)
    stream = env.pop("wsgi.input")
    env["wsgi.input"] = stream.getvalue()
    return env


def rest_variants():
    """REST events the fast path takes and the ones it must hand over."""
    base = support.rest("/echo/", multiValueHeaders={"Host": ["h.example"], "Accept": ["*/*"]})
    sample = support.rest("/echo/")
    sample["multiValueQueryStringParameters"] = {"name": ["me"]}
    sample["queryStringParameters"] = {"name": "me"}
    out = {"sample": sample, "minimal": base}
    ctx = sample["requestContext"]

    def var(name, **fields):
        e = dict(sample)
        e.update(fields)
        out[name] = e

    def mh(name, **headers):
        m = dict(sample["multiValueHeaders"])
        for k, v in headers.items():
            k = k.replace("_", "-")
            if v is None:
                m.pop(k, None)
            else:
                m[k] = v
        var(name, multiValueHeaders=m)

    mh("host with port", Host=["h.example:8443"])
    mh("no host", Host=None)
    mh("empty host", Host=[""])
    mh("proto http", X_Forwarded_Proto=["http"])
    mh("proto list", X_Forwarded_Proto=["https, http"])
    mh("no proto", X_Forwarded_Proto=None)
    mh("port not digits", X_Forwarded_Port=["443, 80"])
    mh("no port", X_Forwarded_Port=None)
    mh("no port, http", X_Forwarded_Port=None, X_Forwarded_Proto=["http"])
    mh("content-length", Content_Length=["3"])
    mh("two cookies", Cookie=["a=1", "b=2"])
    mh("non-ascii", X_Name=["caf\u00e9"])
    mh("one-key object", X_Name={"k": "v"})
    mh("one-char str", X_Name="v")
    mh("str value", X_Name="value")
    mh("none list", X_Name=None)
    mh("int in list", X_Name=[5])
    mh("empty list", X_Name=[])
    var("path with %", path="/echo/caf%C3%A9/")
    var("unicode path", path="/echo/caf\u00e9/")
    var("no leading slash", path="echo/")
    var("empty path", path="")
    var("int path", path=5)
    var("lower method", httpMethod="get")
    var("odd method", httpMethod="PURGE")
    var("no method", httpMethod=None)
    var("body", httpMethod="POST", body='{"a": 1}')
    var("base64 body", httpMethod="POST", body="aGk=", isBase64Encoded=True)
    var("no query maps", multiValueQueryStringParameters=None, queryStringParameters=None)
    var("single map only", multiValueQueryStringParameters=None, queryStringParameters={"a": "b c"})
    var("two params", multiValueQueryStringParameters={"a": ["1"], "b": ["2"]})
    var("reserved value", multiValueQueryStringParameters={"q": ["a b&c"]})
    var("dash value", multiValueQueryStringParameters={"q": ["a-b_c.d~e"]})
    var("unicode value", multiValueQueryStringParameters={"q": ["\u00e9t\u00e9"]})
    var("two values", multiValueQueryStringParameters={"q": ["1", "2"]})
    var("int value", multiValueQueryStringParameters={"q": [1]})
    var("empty value", multiValueQueryStringParameters={"q": [""]})
    e = dict(sample)
    del e["multiValueQueryStringParameters"]
    out["no multi query key"] = e
    for k in ("protocol", "identity", "authorizer", "path", "domainName"):
        c = dict(ctx)
        del c[k]
        var("context without " + k, requestContext=c)
    var("HTTP/2", requestContext=dict(ctx, protocol="HTTP/2.0"))
    var("odd protocol", requestContext=dict(ctx, protocol="SPDY"))
    var("no source ip", requestContext=dict(ctx, identity={"sourceIp": None}))
    var("identity not a dict", requestContext=dict(ctx, identity="x"))
    var("lambda authorizer", requestContext=dict(ctx, authorizer={"lambda": {"principalId": "p"}, "claims": None}))
    var("cognito claims", requestContext=dict(ctx, authorizer={"claims": {"sub": "1"}}))
    var("stage path", requestContext=dict(ctx, path="/testStage/echo/"))
    return out


class FastRestEnviron(unittest.TestCase):
    def test_fast_path_equals_general_code(self):
        taken = 0
        for name, event in rest_variants().items():
            for script_name in ("", "/testStage", "/other"):
                events._base(events.REST, script_name)
                for attempt in ("first", "warm"):
                    try:
                        want = comparable(events._environ(event, events.REST, script_name, "ctx"))
                    except events.BadEvent as err:
                        with self.assertRaises(events.BadEvent, msg=name) as got:
                            events.environ(event, events.REST, script_name, "ctx")
                        self.assertEqual(str(got.exception), str(err), name)
                        continue
                    fast = events._rest_environ(event, script_name, "ctx")
                    taken += fast is not None
                    got = comparable(events.environ(event, events.REST, script_name, "ctx"))
                    self.assertEqual(got, want, "%s, script name %r, %s" % (name, script_name, attempt))
                    self.assertEqual(list(got), list(want), "%s: key order" % name)
        self.assertGreater(taken, 40, "the fast path is hardly ever taken")

    def test_usual_events_take_the_fast_path(self):
        for name in ("sample", "minimal", "no port", "body", "dash value", "no query maps", "stage path", "lower method", "path with %"):
            event = rest_variants()[name]
            events.environ(event, events.REST, "/testStage")
            self.assertIsNotNone(events._rest_environ(event, "/testStage", None), name)


class Kinds(unittest.TestCase):
    def test_rest_fast_path_agrees_with_the_rules(self):
        rest = support.rest("/x/")
        self.assertEqual(events.kind(rest), events.REST)
        cases = {
            "payload 1.0 of an HTTP API": (dict(rest, version="1.0"), events.REST),
            "no requestContext": ({k: v for k, v in rest.items() if k != "requestContext"}, events.REST),
            "ALB": (dict(rest, requestContext={"elb": {"targetGroupArn": "arn"}}), events.ALB),
            "version 2.0 with rawPath": (dict(rest, version="2.0", rawPath="/x/"), events.HTTP),
            "warm-up key": (dict(rest, django_serverless="warmup"), events.WARMUP),
        }
        for name, (event, want) in cases.items():
            self.assertEqual(events.kind(event), want, name)
        with self.assertRaises(events.UnknownEvent):
            events.kind(dict(rest, django_serverless="nope"))
        with self.assertRaises(events.UnknownEvent):
            events.kind({k: v for k, v in rest.items() if k not in ("requestContext", "path")} | {"version": "2.0"})


if __name__ == "__main__":
    unittest.main()
