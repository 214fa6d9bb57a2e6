"""Local driver for `django-serverless invoke` (not part of the runtime layer).

``driver.py EVENT``: prints the handler's return value as JSON on stdout. If
the handler (or the import that sets Django up) raises, prints the traceback
on stderr, the Lambda-style error object on stdout, and exits 3.
``driver.py --batch EVENT...``: runs the events in order in one warm process
and prints one line per event: ``{"raised": bool, "result": ...}``.
Anything the application prints goes to stderr, so stdout stays JSON.

``driver.py --worker IN OUT ROOT [AS_LIMIT_MB]``: a warm worker for ``serve``,
like one Lambda execution environment. Frames (a 4-byte big-endian length,
then that many bytes of JSON) are read from file descriptor IN and written
to OUT, so the application keeps stdout and stderr for its own output. The
first frame written is the end of the init phase: ``{"ready": true,
"init_ms": ..., "python": "3.12"}`` or, when importing the handler raised, ``{"ready": false,
"error": {"errorMessage", "errorType"}}`` (and the worker exits). Then per
request frame: ``{"op": "invoke", "request_id", "timeout_ms", "event"}`` ->
``{"raised": bool, "result": ..., "max_rss_kb": int}``; ``{"op":
"modules"}`` -> ``{"modules": [files below ROOT the worker imported]}``.
End of input ends the worker. AS_LIMIT_MB, when given, caps the address
space (RLIMIT_AS) before anything is imported: a backstop for the memory
watch of the Go side, which kills the worker as Lambda does.
"""
import hashlib
import json
import os
import struct
import sys
import time
import traceback

TIMEOUT_MS = int(os.environ.get("DJANGO_SERVERLESS_TIMEOUT_MS") or "900000")


class Context:
    def __init__(self, payload, request_id=None, timeout_ms=None):
        name = os.environ.get("DJANGO_SERVERLESS_FUNCTION") or "django-serverless-local"
        if request_id is None:
            digest = hashlib.sha256(payload).hexdigest()
            request_id = "%s-%s-%s-%s-%s" % (digest[0:8], digest[8:12], digest[12:16], digest[16:20], digest[20:32])
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or name
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION") or "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:local:000000000000:function:" + self.function_name
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        self.aws_request_id = request_id
        self.log_group_name = "/aws/lambda/" + self.function_name
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + (TIMEOUT_MS if timeout_ms is None else timeout_ms) / 1000.0

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
        return True, json.dumps(_lambda_error(exc), ensure_ascii=False)


def _lambda_error(exc):
    return {
        "errorMessage": str(exc),
        "errorType": getattr(exc, "error_type", None) or type(exc).__name__,
    }


class _Frames:
    """Length-prefixed JSON frames over two file descriptors."""

    def __init__(self, fd_in, fd_out):
        self.rin = open(fd_in, "rb", closefd=True)
        self.wout = open(fd_out, "wb", closefd=True)

    def recv(self):
        head = self.rin.read(4)
        if len(head) < 4:
            return None
        (size,) = struct.unpack(">I", head)
        data = self.rin.read(size)
        if len(data) < size:
            return None
        return data

    def send(self, data):
        self.wout.write(struct.pack(">I", len(data)) + data)
        self.wout.flush()


def _project_modules(root):
    """Files below root that the worker has imported."""
    prefix = os.path.join(os.path.realpath(root), "")
    out = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path:
            continue
        path = os.path.realpath(path)
        if path.startswith(prefix):
            out.append(path)
    out.sort()
    return out


def _max_rss_kb():
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):
        return 0


def worker(argv):
    fd_in, fd_out, root = int(argv[0]), int(argv[1]), argv[2]
    if len(argv) > 3 and int(argv[3]) > 0:
        import resource

        limit = int(argv[3]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    frames = _Frames(fd_in, fd_out)
    start = time.monotonic()
    try:
        from django_serverless.handler import handle
    except Exception as exc:  # the init phase failed: Lambda reports it on the invoke
        traceback.print_exc()
        sys.stderr.flush()
        frames.send(json.dumps({"ready": False, "error": _lambda_error(exc)}, ensure_ascii=False).encode("utf-8"))
        return 1
    init_ms = (time.monotonic() - start) * 1000.0
    version = "%d.%d" % sys.version_info[:2]
    frames.send(json.dumps({"ready": True, "init_ms": round(init_ms, 3), "python": version}).encode("utf-8"))
    while True:
        data = frames.recv()
        if data is None:
            return 0
        msg = json.loads(data)
        op = msg.get("op", "invoke")
        if op == "modules":
            frames.send(json.dumps({"modules": _project_modules(root)}, ensure_ascii=False).encode("utf-8"))
            continue
        raised = False
        try:
            result = handle(msg["event"], Context(b"", msg.get("request_id"), msg.get("timeout_ms")))
        except Exception as exc:  # reported like Lambda does
            traceback.print_exc()
            raised, result = True, _lambda_error(exc)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            text = json.dumps({"raised": raised, "result": result, "max_rss_kb": _max_rss_kb()}, ensure_ascii=False)
        except (TypeError, ValueError) as exc:  # Lambda: Runtime.MarshalError
            err = {"errorMessage": "Unable to marshal response: %s" % exc, "errorType": "Runtime.MarshalError"}
            text = json.dumps({"raised": True, "result": err, "max_rss_kb": _max_rss_kb()})
        frames.send(text.encode("utf-8", "surrogatepass"))


def main(argv):
    if argv[:1] == ["--worker"]:
        return worker(argv[1:])
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
