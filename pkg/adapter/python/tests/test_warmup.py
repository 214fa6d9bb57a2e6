"""Warm-up events: answered at once, no middleware, Django already set up."""
import unittest

from support import configure, http, invoke
from django_serverless import events


class Warmup(unittest.TestCase):
    def tearDown(self):
        configure()

    def test_warmup_answers_without_running_middleware(self):
        from testproj import middleware

        configure(function="catalog-detail")
        before = len(middleware.seen)
        got = invoke({"django_serverless": "warmup"})
        self.assertEqual(got, {"django_serverless": "warm", "function": "catalog-detail"})
        self.assertEqual(len(middleware.seen), before)
        invoke(http("/json/"))
        self.assertEqual(len(middleware.seen), before + 1)

    def test_unknown_control_event_is_an_error(self):
        with self.assertRaisesRegex(events.UnknownEvent, "unknown control event 'cooldown'"):
            invoke({"django_serverless": "cooldown"})


if __name__ == "__main__":
    unittest.main()
