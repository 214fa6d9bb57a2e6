"""Malformed events: 4xx responses or clear errors, never leaked settings."""
import base64
import unittest

from support import alb, configure, http, invoke, rest
from django_serverless import events


class BadInput(unittest.TestCase):
    def tearDown(self):
        configure()

    def test_unknown_event_error_names_its_keys(self):
        with self.assertRaises(events.UnknownEvent) as ctx:
            invoke({"Records": [], "foo": 1})
        self.assertIn("event keys: Records, foo", str(ctx.exception))

    def test_non_object_events_are_clear_errors(self):
        for event, want in (("hi", "type str"), (None, "type NoneType"), ([1, 2], "list of 2 items")):
            with self.assertRaisesRegex(events.UnknownEvent, want):
                invoke(event)

    def test_missing_http_method_is_400(self):
        e = http("/echo/")
        e["requestContext"]["http"]["method"] = None
        resp = invoke(e)
        self.assertEqual(resp["statusCode"], 400)
        self.assertIn("no HTTP method", resp["body"])

    def test_wrong_types_are_400(self):
        e = rest("/echo/")
        e["multiValueHeaders"] = ["not", "a", "map"]
        self.assertEqual(invoke(e)["statusCode"], 400)
        e = http("/echo/", body={"a": 1})
        resp = invoke(e)
        self.assertEqual(resp["statusCode"], 400)
        self.assertIn("body must be a string", resp["body"])
        e = http("/echo/")
        e["cookies"] = "a=1"
        self.assertEqual(invoke(e)["statusCode"], 400)

    def test_invalid_base64_is_400(self):
        resp = invoke(rest("/echo/", method="POST", body="not base64!!", isBase64Encoded=True))
        self.assertEqual(resp["statusCode"], 400)
        self.assertIn("not valid base64", resp["body"])

    def test_body_over_6_mb_is_413(self):
        big = "x" * (6 * 1024 * 1024 + 1)
        resp = invoke(http("/echo/", method="POST", body=big))
        self.assertEqual(resp["statusCode"], 413)
        resp = invoke(alb("/echo/", method="POST", body=base64.b64encode(big.encode()).decode(), isBase64Encoded=True))
        self.assertEqual(resp["statusCode"], 413)
        self.assertEqual(resp["statusDescription"], "413 Payload Too Large")

    def test_view_exception_returns_django_500_logged_once_without_settings(self):
        with self.assertLogs("django.request", level="ERROR") as logs:
            resp = invoke(http("/boom/"))
        self.assertEqual(resp["statusCode"], 500)
        self.assertEqual(len(logs.records), 1)
        self.assertNotIn("test-secret-key", resp["body"])
        self.assertNotIn("Traceback", resp["body"])
        self.assertIn("Server Error (500)", resp["body"])

    def test_bad_event_logged_without_body(self):
        with self.assertLogs("django_serverless", level="WARNING") as logs:
            invoke(rest("/echo/", method="POST", body="%%%", isBase64Encoded=True))
        self.assertEqual(len(logs.records), 1)
        self.assertNotIn("%%%", logs.output[0])


if __name__ == "__main__":
    unittest.main()
