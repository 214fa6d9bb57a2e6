"""Event kind detection over every real sample, and Function URL events."""
import os
import unittest

import support
from support import body_json, invoke
from django_serverless import events


class Kinds(unittest.TestCase):
    def test_every_http_sample_has_its_kind(self):
        want = {
            "apigw-request": events.REST,
            "apigw-restapi-openapi-request": events.REST,
            "apigw-v2-request-iam": events.HTTP,
            "apigw-v2-request-jwt-authorizer": events.HTTP,
            "apigw-v2-request-lambda-authorizer": events.HTTP,
            "apigw-v2-request-no-authorizer": events.HTTP,
            "alb-lambda-target-request-headers-only": events.ALB,
            "alb-lambda-target-request-multivalue-headers": events.ALB,
            "lambda-urls-request": events.URL,
        }
        names = sorted(f[:-5] for f in os.listdir(support.EVENTS) if f.endswith(".json") and not f.startswith("appsync-"))
        self.assertEqual(names, sorted(want))
        for name, kind in want.items():
            self.assertEqual(events.kind(support.sample(name)), kind, name)

    def test_warmup_appsync_and_batch_kinds(self):
        self.assertEqual(events.kind({"django_serverless": "warmup"}), events.WARMUP)
        self.assertEqual(events.kind(support.appsync("hello")), events.APPSYNC)
        self.assertEqual(events.kind([support.appsync("hello")] * 2), events.APPSYNC_BATCH)

    def test_every_http_sample_is_served(self):
        for name in ("apigw-request", "apigw-restapi-openapi-request", "apigw-v2-request-iam",
                     "apigw-v2-request-lambda-authorizer", "alb-lambda-target-request-headers-only",
                     "lambda-urls-request"):
            resp = invoke(support.sample(name))
            self.assertEqual(resp["statusCode"], 404, name)  # their paths are not routes of the project
            self.assertIn("isBase64Encoded", resp)


class FunctionURL(unittest.TestCase):
    def test_function_url_event_round_trip(self):
        e = support.sample("lambda-urls-request")
        e["rawPath"] = "/echo/"
        # The sample's "<url-id>" placeholder is no valid host name for Django.
        e["requestContext"]["domainName"] = "abcdefg.lambda-url.us-west-2.on.aws"
        got = body_json(invoke(e))
        self.assertEqual(got["method"], "POST")
        self.assertEqual(got["body"], "Hello from client!")
        self.assertEqual(got["GET"], {"parameter1": ["value1", "value2"], "parameter2": ["value"]})
        self.assertEqual(got["HTTP_COOKIE"], "cookie1; cookie2")
        self.assertEqual(got["remote_addr"], "123.123.123.123")
        self.assertEqual(got["host"], "abcdefg.lambda-url.us-west-2.on.aws")
        resp = invoke(dict(e, rawPath="/cookies/"))
        self.assertEqual(len(resp["cookies"]), 3)


if __name__ == "__main__":
    unittest.main()
