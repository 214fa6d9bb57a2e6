"""Local driver for `django-serverless invoke` (not part of the runtime layer).

``driver.py EVENT``: prints the handler's return value as JSON on stdout. If
the handler (or the import that sets Django up) raises, prints the traceback
on stderr, the Lambda-style error object on stdout, and exits 3.
``driver.py --batch EVENT...``: runs the events in order in one warm process
and prints one line per event: ``{"raised": bool, "result": ...}``.
Anything the application prints goes to stderr, so stdout stays JSON.
"""
import hashlib
import json
import os
import sys
import time
import traceback

TIMEOUT_MS = int(os.environ.get("DJANGO_SERVERLESS_TIMEOUT_MS") or "900000")


class Context:
    def __init__(self, payload):
        name = os.environ.get("DJANGO_SERVERLESS_FUNCTION") or "django-serverless-local"
        digest = hashlib.sha256(payload).hexdigest()
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:local:000000000000:function:" + name
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        self.aws_request_id = "%s-%s-%s-%s-%s" % (digest[0:8], digest[8:12], digest[12:16], digest[16:20], digest[20:32])
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + TIMEOUT_MS / 1000.0

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def run_one(path):
    """(raised, JSON text) for the event in path."""
    with open(path, "rb") as f:
        payload = f.read()
    try:
        event = json.loads(payload)
        from django_serverless.handler import handle

        result = handle(event, Context(payload))
        return False, json.dumps(result, ensure_ascii=False)
    except Exception as exc:  # reported like Lambda does
        traceback.print_exc()
        sys.stderr.flush()
        err = {
            "errorMessage": str(exc),
            "errorType": getattr(exc, "error_type", None) or type(exc).__name__,
        }
        return True, json.dumps(err, ensure_ascii=False)


def main(argv):
    out = sys.stdout
    sys.stdout = sys.stderr  # the application's prints must not reach stdout
    if argv[:1] == ["--batch"]:
        # One warm process for many events: a JSON line per event.
        for path in argv[1:]:
            raised, text = run_one(path)
            out.write('{"raised": %s, "result": %s}\n' % ("true" if raised else "false", text))
        out.flush()
        return 0
    raised, text = run_one(argv[0])
    out.write(text + "\n")
    out.flush()
    return 3 if raised else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
