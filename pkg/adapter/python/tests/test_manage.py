"""Management events: allow-list, argument passing, exit status, timeouts."""
import json
import os
import tempfile
import time
import unittest

from support import Context, invoke

ALLOW = "DJANGO_SERVERLESS_MANAGE_ALLOW"


def manage(command, *args, **extra):
    event = {"django_serverless": "manage", "command": command, "args": list(args)}
    event.update(extra)
    return event


class Remaining(Context):
    def __init__(self, ms):
        self._deadline = time.monotonic() + ms / 1000.0

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Manage(unittest.TestCase):
    def setUp(self):
        self._saved = {k: os.environ.get(k) for k in (ALLOW, "DJANGO_SERVERLESS_DATABASE_NAME", "DJANGO_SERVERLESS_ENVIRONMENT", "TESTAPP_PIDFILE")}
        os.environ[ALLOW] = "echoargs,fail,sleep,noisy,check,nosuch"

    def tearDown(self):
        for k, v in self._saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def test_refused_without_allow_list(self):
        os.environ.pop(ALLOW)
        out = invoke(manage("check"))
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("does not run management commands", out["output"])

    def test_refused_command_not_allowed(self):
        out = invoke(manage("flush", "--noinput"))
        self.assertEqual(out["exit_status"], 2)
        self.assertFalse(out["timed_out"])
        self.assertIn("'flush' is not allowed", out["output"])
        self.assertIn("allowed: check, echoargs, fail, noisy, nosuch, sleep", out["output"])

    def test_refused_malformed(self):
        for event, why in [
            (manage("check; rm -rf /"), "management command name"),
            (manage("../check"), "management command name"),
            ({"django_serverless": "manage", "command": 7}, "management command name"),
            ({"django_serverless": "manage", "command": "check", "args": "--deploy"}, "list of strings"),
            ({"django_serverless": "manage", "command": "check", "args": [1]}, "list of strings"),
            (manage("check", "a\x00b"), "no NUL"),
            (manage("check", *["x"] * 300), "at most"),
            (manage("check", timeout=-1), "positive number"),
            (manage("check", timeout=True), "positive number"),
        ]:
            out = invoke(event)
            self.assertEqual(out["exit_status"], 2, event)
            self.assertIn(why, out["output"], event)

    def test_settings_and_pythonpath_are_fixed(self):
        for arg in ("--settings=evil.settings", "--settings", "--pythonpath=/tmp"):
            out = invoke(manage("echoargs", arg, "x"))
            self.assertEqual(out["exit_status"], 2, arg)
            self.assertIn("fixed by the function's environment", out["output"])

    def test_arguments_reach_the_command_as_given(self):
        marker = os.path.join(tempfile.mkdtemp(), "pwned")
        words = ["$(touch %s)" % marker, "; touch %s" % marker, "a b", "'q'", '"d"', "`id`", "*", "~", "é"]
        out = invoke(manage("echoargs", *words, "--flag=$HOME && id"))
        self.assertEqual(out["exit_status"], 0, out["output"])
        got = json.loads(out["output"].strip().splitlines()[-1])
        self.assertEqual(got["words"], words)
        self.assertEqual(got["flag"], "$HOME && id")
        self.assertEqual(got["settings"], "testproj.settings")
        self.assertFalse(os.path.exists(marker), "an argument ran in a shell")

    def test_command_error_exits_1_with_output(self):
        out = invoke(manage("fail"))
        self.assertEqual(out["exit_status"], 1)
        self.assertIn("partial output before failing", out["output"])
        self.assertIn("CommandError: the command failed on purpose", out["output"])

    def test_exit_status_passes_through(self):
        out = invoke(manage("fail", "--status", "7"))
        self.assertEqual(out["exit_status"], 7)
        self.assertIn("exiting with 7", out["output"])

    def test_unknown_command(self):
        out = invoke(manage("nosuch"))
        self.assertEqual(out["exit_status"], 1)
        self.assertIn("Unknown command: 'nosuch'", out["output"])

    def test_real_command(self):
        out = invoke(manage("check"))
        self.assertEqual(out["exit_status"], 0, out["output"])
        self.assertIn("System check identified no issues", out["output"])
        self.assertEqual(out["command"], "check")
        self.assertGreater(out["duration_ms"], 0)

    def test_timeout_from_event_kills_process_group(self):
        pidfile = os.path.join(tempfile.mkdtemp(), "pid")
        os.environ["TESTAPP_PIDFILE"] = pidfile
        start = time.monotonic()
        out = invoke(manage("sleep", "60", "--child", timeout=1.5))
        took = time.monotonic() - start
        self.assertTrue(out["timed_out"])
        self.assertIsNone(out["exit_status"])
        self.assertIn("sleeping", out["output"])
        self.assertIn("ran longer than 2 s", out["output"])
        self.assertLess(took, 8)
        with open(pidfile) as f:
            pid = int(f.read())
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            self.fail("the command's own child process survived the timeout")

    def test_timeout_leaves_time_to_answer(self):
        ctx = Remaining(5000)
        from django_serverless.handler import handle

        out = handle(manage("sleep", "60"), ctx)
        self.assertTrue(out["timed_out"])
        self.assertGreater(ctx.get_remaining_time_in_millis(), 500, "answered too close to the Lambda timeout")

    def test_refused_when_no_time_left(self):
        from django_serverless.handler import handle

        out = handle(manage("check"), Remaining(3500))
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("not enough time left", out["output"])

    def test_output_interleaved_in_order(self):
        out = invoke(manage("noisy", "10"))
        self.assertEqual(out["exit_status"], 0)
        lines = [l.split()[1] for l in out["output"].splitlines() if l.startswith("line ")]
        self.assertEqual(lines, ["%06d" % i for i in range(10)])
        self.assertFalse(out["truncated"])

    def test_output_is_bounded(self):
        out = invoke(manage("noisy", "25000"))
        self.assertEqual(out["exit_status"], 0)
        self.assertTrue(out["truncated"])
        self.assertLess(len(out["output"]), (1 << 20) + 200)
        self.assertIn("line 000000", out["output"])
        self.assertIn("line 024999", out["output"])
        self.assertIn("bytes of output left out", out["output"])

    def test_preview_refuses_a_database_that_is_not_its_own(self):
        os.environ["DJANGO_SERVERLESS_DATABASE_NAME"] = "testproj_0123456789ab_pr_3"
        os.environ["DJANGO_SERVERLESS_ENVIRONMENT"] = "pr-3"
        out = invoke(manage("check"))
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("uses database 'testproj_0123456789ab_pr_3'", out["output"])

    def test_database_events(self):
        out = invoke({"django_serverless": "database", "action": "explode"})
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("action must be one of create, drop, fixtures", out["output"])
        out = invoke({"django_serverless": "database", "action": "drop"})
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("for pr-<N> previews only", out["output"])
        os.environ.pop(ALLOW)
        out = invoke({"django_serverless": "database", "action": "create"})
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("does not manage databases", out["output"])

    def test_unknown_control_event(self):
        from django_serverless import events

        with self.assertRaises(events.UnknownEvent) as cm:
            invoke({"django_serverless": "shell"})
        self.assertIn("'manage'", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
