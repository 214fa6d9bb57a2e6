"""Issue 4 item 2: the event -> Django edge cases, one named test each.

Events start from the real samples in events/ (aws-lambda-go testdata).
"""
import base64
import gzip
import json
import sys
import unittest

import support
from support import alb, body_json, configure, function_url, http, invoke, rest


class StageAndBasePath(unittest.TestCase):
    def tearDown(self):
        configure()

    def test_stage_prefix_stripped_and_script_name_from_config_rest(self):
        configure(script_name="/dev")
        got = body_json(invoke(rest("/echo/", stage="dev")))
        self.assertEqual(got["path_info"], "/echo/")
        self.assertEqual(got["script_name"], "/dev")
        self.assertEqual(got["path"], "/dev/echo/")
        self.assertEqual(got["reverse"], "/dev/echo/")

    def test_stage_prefix_stripped_and_script_name_from_config_http_api(self):
        configure(script_name="/dev")
        got = body_json(invoke(http("/dev/echo/", stage="dev")))
        self.assertEqual(got["path_info"], "/echo/")
        self.assertEqual(got["script_name"], "/dev")
        self.assertEqual(got["reverse"], "/dev/echo/")

    def test_stage_not_guessed_from_host(self):
        # execute-api Host and a named stage, but no prefix configured: the
        # runtime must not invent SCRIPT_NAME from the Host header.
        configure(script_name="")
        e = http("/echo/x", stage="dev")
        e["headers"]["host"] = "abc.execute-api.us-east-1.amazonaws.com"
        got = body_json(invoke(e))
        self.assertEqual(got["script_name"], "")
        self.assertEqual(got["path_info"], "/echo/x")
        self.assertEqual(got["reverse"], "/echo/")

    def test_rest_path_below_stage_that_starts_with_stage_name_kept(self):
        # Stage "echo": REST `path` is below the stage; the route /echo/... must
        # survive even though it starts with the stage name.
        configure(script_name="/echo")
        got = body_json(invoke(rest("/echo/inner", stage="echo")))
        self.assertEqual(got["path_info"], "/echo/inner")
        self.assertEqual(got["rest"], "inner")
        self.assertEqual(got["path"], "/echo/echo/inner")

    def test_default_stage_has_no_prefix(self):
        configure(script_name="")
        got = body_json(invoke(http("/echo/", stage="$default")))
        self.assertEqual(got["script_name"], "")
        self.assertEqual(got["path"], "/echo/")
        self.assertEqual(got["reverse"], "/echo/")

    def test_custom_domain_base_path(self):
        # REST API behind a custom domain with base path mapping "api": the
        # event path carries the base path; SCRIPT_NAME is configured to it.
        configure(script_name="/api")
        e = rest("/api/echo/", stage="prod", rc_path="/api/echo/")
        e["headers"]["Host"] = e["multiValueHeaders"]["Host"][0] = "shop.example.com"
        e["multiValueHeaders"]["Host"] = ["shop.example.com"]
        got = body_json(invoke(e))
        self.assertEqual(got["path_info"], "/echo/")
        self.assertEqual(got["script_name"], "/api")
        self.assertEqual(got["absolute"], "https://shop.example.com/api/echo/")

    def test_stage_prod_never_strips_products(self):
        configure(script_name="/prod")
        # HTTP API via a custom domain: rawPath has no stage.
        resp = invoke(http("/products/", stage="prod"))
        self.assertEqual(resp["statusCode"], 200)
        self.assertEqual(body_json(resp)["view"], "products")
        # REST API direct: path below the stage, requestContext.path with it.
        resp = invoke(rest("/products/", stage="prod"))
        self.assertEqual(resp["statusCode"], 200)
        self.assertEqual(body_json(resp)["path"], "/prod/products/")


class QueryStrings(unittest.TestCase):
    def test_multi_value_query_string_preferred_over_single_values(self):
        e = rest("/echo/")
        e["queryStringParameters"] = {"tag": "b", "q": "x y"}
        e["multiValueQueryStringParameters"] = {"tag": ["a", "b"], "q": ["x y"]}
        got = body_json(invoke(e))
        self.assertEqual(got["GET"], {"q": ["x y"], "tag": ["a", "b"]})

    def test_single_value_query_string_used_without_multi_value_map(self):
        e = rest("/echo/")
        e["queryStringParameters"] = {"q": "a&b=c", "e": "é"}
        got = body_json(invoke(e))
        self.assertEqual(got["GET"], {"e": ["é"], "q": ["a&b=c"]})

    def test_v2_raw_query_string_used_verbatim(self):
        raw = "a=%2Fx&b=c+d&flag&a=2&n=%C3%A9"
        e = http("/echo/", rawQueryString=raw)
        e["queryStringParameters"] = {"a": "/x,2", "b": "c d"}
        got = body_json(invoke(e))
        self.assertEqual(got["query_string"], raw)
        self.assertEqual(got["GET"], {"a": ["/x", "2"], "b": ["c d"], "flag": [""], "n": ["é"]})

    def test_alb_query_parameters_not_double_encoded(self):
        e = alb("/echo/")
        e["queryStringParameters"] = {"name": "John+Smith", "path": "%2Fa%2Fb", "e": "%C3%A9"}
        got = body_json(invoke(e))
        self.assertEqual(got["GET"], {"e": ["é"], "name": ["John Smith"], "path": ["/a/b"]})
        e = alb("/echo/", multi=True)
        e["multiValueQueryStringParameters"] = {"k": ["a%20b", "c%26d"]}
        got = body_json(invoke(e))
        self.assertEqual(got["GET"], {"k": ["a b", "c&d"]})

    def test_null_query_parameter_maps(self):
        e = rest("/echo/")
        e["queryStringParameters"] = None
        e["multiValueQueryStringParameters"] = None
        got = body_json(invoke(e))
        self.assertEqual(got["query_string"], "")
        self.assertEqual(got["GET"], {})
        e = alb("/echo/")
        e["queryStringParameters"] = None
        self.assertEqual(body_json(invoke(e))["GET"], {})


class Paths(unittest.TestCase):
    def test_percent_decoded_non_ascii_path_round_trips(self):
        # HTTP API: rawPath arrives already percent-decoded (a client's
        # /caf%C3%A9/ is /café/ in the event).
        resp = invoke(http("/café/naïve x/"))
        self.assertEqual(resp["statusCode"], 200, resp["body"])
        got = body_json(resp)
        self.assertEqual(got["name"], "naïve x")
        self.assertEqual(got["path"], "/café/naïve x/")
        # Function URL: rawPath percent-encoded as the client sent it.
        got = body_json(invoke(function_url("/caf%C3%A9/na%C3%AFve%20x/")))
        self.assertEqual(got["name"], "naïve x")
        # REST API: path as API Gateway passes it.
        got = body_json(invoke(rest("/café/über/")))
        self.assertEqual(got["name"], "über")

    def test_http_api_path_is_not_decoded_twice(self):
        # A client's /echo/a%2541 reaches an HTTP API function as
        # /echo/a%41: Django must see a%41, not aA.
        got = body_json(invoke(http("/echo/a%41")))
        self.assertEqual(got["rest"], "a%41")
        # The same request through a Function URL is still encoded.
        got = body_json(invoke(function_url("/echo/a%2541")))
        self.assertEqual(got["rest"], "a%41")

    def test_percent_encoded_slash_stays_in_one_segment_value(self):
        got = body_json(invoke(function_url("/echo/a%2Fb")))
        self.assertEqual(got["rest"], "a/b")


class HeadersAndCookies(unittest.TestCase):
    def test_v1_multi_value_cookie_headers_joined_with_semicolon(self):
        e = rest("/echo/")
        e["multiValueHeaders"]["Cookie"] = ["a=1", "b=2"]
        e["headers"]["Cookie"] = "b=2"
        got = body_json(invoke(e))
        self.assertEqual(got["HTTP_COOKIE"], "a=1; b=2")
        self.assertEqual(got["COOKIES"], {"a": "1", "b": "2"})

    def test_v2_cookies_array_merged_with_cookie_header(self):
        e = http("/echo/")
        e["cookies"] = ["a=1", "b=2"]
        e["headers"]["cookie"] = "c=3"
        got = body_json(invoke(e))
        self.assertEqual(got["COOKIES"], {"a": "1", "b": "2", "c": "3"})
        self.assertEqual(got["HTTP_COOKIE"], "c=3; a=1; b=2")

    def test_repeated_headers_joined_with_comma(self):
        e = rest("/echo/")
        e["multiValueHeaders"]["X-Multi"] = ["one", "two"]
        got = body_json(invoke(e))
        self.assertEqual(got["headers"]["HTTP_X_MULTI"], "one,two")

    def test_content_type_and_length_not_duplicated_as_http_headers(self):
        e = rest("/echo/", method="POST", body='{"a": 1}')
        e["multiValueHeaders"]["Content-Length"] = ["999"]
        got = body_json(invoke(e))
        self.assertEqual(got["CONTENT_TYPE"], "application/json")
        self.assertEqual(got["CONTENT_LENGTH"], "8")
        self.assertNotIn("HTTP_CONTENT_TYPE", got["headers"])
        self.assertNotIn("HTTP_CONTENT_LENGTH", got["headers"])

    def test_x_forwarded_proto_sets_url_scheme_default_https(self):
        e = alb("/echo/")  # the sample says x-forwarded-proto: http
        got = body_json(invoke(e))
        self.assertEqual(got["scheme"], "http")
        self.assertFalse(got["is_secure"])
        e = http("/echo/")  # no X-Forwarded-Proto at all
        got = body_json(invoke(e))
        self.assertEqual(got["scheme"], "https")
        self.assertTrue(got["is_secure"])

    def test_host_header_becomes_http_host(self):
        e = rest("/echo/")
        e["multiValueHeaders"]["Host"] = ["api.example.org"]
        got = body_json(invoke(e))
        self.assertEqual(got["host"], "api.example.org")
        self.assertEqual(got["headers"]["HTTP_HOST"], "api.example.org")

    def test_remote_addr_from_request_context_never_x_forwarded_for(self):
        e = rest("/echo/")
        e["multiValueHeaders"]["X-Forwarded-For"] = ["6.6.6.6, 54.182.214.83"]
        self.assertEqual(body_json(invoke(e))["remote_addr"], "192.168.196.186")
        e = http("/echo/")
        e["headers"]["x-forwarded-for"] = "6.6.6.6"
        e["requestContext"]["http"]["sourceIp"] = "203.0.113.9"
        self.assertEqual(body_json(invoke(e))["remote_addr"], "203.0.113.9")
        # ALB has no requestContext source IP: its own (rightmost) entry counts.
        e = alb("/echo/")
        e["headers"]["x-forwarded-for"] = "6.6.6.6, 25.12.198.67"
        self.assertEqual(body_json(invoke(e))["remote_addr"], "25.12.198.67")

    def test_authorizer_principal_and_claims_available_to_the_app(self):
        got = body_json(invoke(rest("/echo/")))
        self.assertEqual(got["principal_id"], "admin")
        self.assertEqual(got["authorizer"]["clientName"], "Exata")
        e = support.sample("apigw-v2-request-jwt-authorizer")
        e["rawPath"] = "/echo/"
        got = body_json(invoke(e))
        self.assertEqual(got["claims"], {"claim1": "value1", "claim2": "value2"})
        e = support.sample("apigw-v2-request-lambda-authorizer")
        e["rawPath"] = "/echo/"
        got = body_json(invoke(e))
        self.assertEqual(got["authorizer"], e["requestContext"]["authorizer"])


class Bodies(unittest.TestCase):
    def test_null_body(self):
        got = body_json(invoke(rest("/echo/", method="POST", body=None)))
        self.assertEqual(got["body"], "")
        self.assertEqual(got["CONTENT_LENGTH"], "0")

    def test_base64_encoded_body(self):
        raw = bytes(range(256))
        e = http("/echo/", method="POST", body=base64.b64encode(raw).decode(), isBase64Encoded=True)
        got = body_json(invoke(e))
        self.assertEqual(base64.b64decode(got["body_b64"]), raw)
        self.assertEqual(got["CONTENT_LENGTH"], "256")

    def test_utf8_multipart_body(self):
        boundary = "----b0undary"
        parts = (
            "--%s\r\nContent-Disposition: form-data; name=\"título\"\r\n\r\nçà va ✓\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"résumé.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\nhéllo\r\n--%s--\r\n" % (boundary, boundary, boundary)
        )
        e = rest("/upload/", method="POST", body=parts)
        e["multiValueHeaders"]["Content-Type"] = ["multipart/form-data; boundary=" + boundary]
        got = body_json(invoke(e))
        self.assertEqual(got["fields"], {"título": ["çà va ✓"]})
        self.assertEqual(got["files"]["file"]["name"], "résumé.txt")
        self.assertEqual(base64.b64decode(got["files"]["file"]["sha"]).decode("utf-8"), "héllo")
        # The same body base64-encoded (binary media type on a REST API).
        e["body"] = base64.b64encode(parts.encode("utf-8")).decode()
        e["isBase64Encoded"] = True
        self.assertEqual(body_json(invoke(e))["fields"], {"título": ["çà va ✓"]})


class Responses(unittest.TestCase):
    def test_several_set_cookie_headers_survive_v1_multi_value_headers(self):
        resp = invoke(rest("/cookies/"))
        cookies = resp["multiValueHeaders"]["Set-Cookie"]
        self.assertEqual([c.split(";")[0] for c in cookies], ["a=1", "b=2", "c=3"])

    def test_several_set_cookie_headers_survive_v2_cookies(self):
        resp = invoke(http("/cookies/"))
        self.assertEqual([c.split(";")[0] for c in resp["cookies"]], ["a=1", "b=2", "c=3"])
        self.assertNotIn("set-cookie", resp["headers"])

    def test_binary_response_base64_encoded(self):
        for event in (rest("/binary/"), http("/binary/"), alb("/binary/")):
            resp = invoke(event)
            self.assertTrue(resp["isBase64Encoded"])
            self.assertEqual(base64.b64decode(resp["body"])[:8], b"\x89PNG\r\n\x1a\n")

    def test_gzip_encoded_response_base64_encoded(self):
        resp = invoke(http("/gzip/"))
        self.assertTrue(resp["isBase64Encoded"])
        self.assertEqual(json.loads(gzip.decompress(base64.b64decode(resp["body"]))), {"zipped": True})

    def test_json_text_and_svg_stay_text(self):
        for path in ("/json/", "/cookies/", "/svg/"):
            resp = invoke(http(path))
            self.assertFalse(resp["isBase64Encoded"], path)
        self.assertIn("<text>é</text>", invoke(http("/svg/"))["body"])

    def test_alb_status_description(self):
        resp = invoke(alb("/json/"))
        self.assertEqual(resp["statusDescription"], "200 OK")
        self.assertIn("headers", resp)
        resp = invoke(alb("/nowhere/", multi=True))
        self.assertEqual(resp["statusCode"], 404)
        self.assertEqual(resp["statusDescription"], "404 Not Found")
        self.assertIn("multiValueHeaders", resp)

    def test_wsgi_response_always_closed_request_finished_runs(self):
        from django.core.signals import request_finished

        seen = []

        def receiver(sender, **kwargs):
            seen.append(sender)

        request_finished.connect(receiver)
        try:
            invoke(http("/json/"))
            self.assertEqual(len(seen), 1)
            with self.assertLogs("django.request", level="ERROR"):
                invoke(http("/boom/"))
            self.assertEqual(len(seen), 2)
        finally:
            request_finished.disconnect(receiver)

    def test_wsgi_response_closed_when_iteration_fails(self):
        from django_serverless import wsgi

        closed = []

        class Body:
            def __iter__(self):
                yield b"part"
                raise ValueError("stream broke")

            def close(self):
                closed.append(True)

        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return Body()

        with self.assertRaises(ValueError):
            wsgi.run(app, {})
        self.assertEqual(closed, [True])

    def test_exc_info_reraised(self):
        from django_serverless import wsgi

        def app(environ, start_response):
            write = start_response("200 OK", [("Content-Type", "text/plain")])
            write(b"already sent")
            try:
                raise KeyError("late failure")
            except KeyError:
                start_response("500 Internal Server Error", [], sys.exc_info())
            return [b"never"]

        with self.assertRaises(KeyError) as ctx:
            wsgi.run(app, {})
        self.assertIn("late failure", str(ctx.exception))

    def test_exc_info_before_body_replaces_status(self):
        from django_serverless import wsgi

        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            try:
                raise KeyError("early failure")
            except KeyError:
                start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
            return [b"error page"]

        resp = wsgi.run(app, {})
        self.assertEqual(resp.status_code, 500)
        self.assertEqual(resp.body, b"error page")


if __name__ == "__main__":
    unittest.main()
