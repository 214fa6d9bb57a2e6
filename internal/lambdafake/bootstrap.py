"""The Python runtime of lambdafake: one execution environment.

Stands for the Lambda Python runtime's bootstrap (awslambdaric): it imports
the handler once (the init phase), then serves invocations one at a time,
with a context object like Lambda's. It speaks to the Go side over two
pipes: requests arrive as JSON lines on fd 3, answers leave as JSON lines on
fd 4. stdout and stderr (fd 1 and 2, merged as in CloudWatch) are the
function's log; after each invocation a line starting with \\x1e marks its
end.

sys.path is built as the Lambda Python runtime builds it: the task root
(LAMBDA_TASK_ROOT), then /opt/python/lib/pythonX.Y/site-packages and
/opt/python (the layers, unpacked under the fake's stand-in for /opt,
LAMBDAFAKE_OPT), then the interpreter's own paths (standing for the
runtime's, which is where boto3 lives on Lambda).
"""

import base64
import importlib
import json
import os
import sys
import time
import traceback


def _paths():
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if p and os.path.abspath(p) != here]
    opt = os.environ["LAMBDAFAKE_OPT"]
    version = "python%d.%d" % sys.version_info[:2]
    front = [os.environ["LAMBDA_TASK_ROOT"], os.path.join(opt, "python", "lib", version, "site-packages"), os.path.join(opt, "python")]
    sys.path[:] = front + rest


class Context:
    def __init__(self, request):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = request["arn"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.aws_request_id = request["id"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = request.get("client_context")
        self._deadline_ms = request["deadline_ms"]

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def _error(exc, error_type=None):
    tb = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": [line.rstrip("\n") for line in tb],
    }


def _end(request_id):
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, b"\x1e" + request_id.encode() + b"\n")


def main():
    os.dup2(1, 2)
    _paths()
    requests = os.fdopen(3, "rb")
    answers = os.fdopen(4, "wb")

    def answer(obj):
        answers.write(json.dumps(obj).encode() + b"\n")
        answers.flush()

    handler_name = os.environ["_HANDLER"]
    module_name, _, func_name = handler_name.rpartition(".")
    started = time.monotonic()
    try:
        if not module_name:
            raise ValueError("Bad handler '%s': not enough values to unpack" % handler_name)
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise _Tagged(exc, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, exc))
        handler = getattr(module, func_name, None)
        if handler is None:
            raise _Tagged(None, "Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (func_name, module_name))
    except _Tagged as tagged:
        if tagged.cause is not None:
            traceback.print_exception(tagged.cause)
        print("[ERROR] %s: %s" % (tagged.error_type, tagged.message))
        _end("init")
        answer({"init_error": {"errorMessage": tagged.message, "errorType": tagged.error_type, "stackTrace": []}})
        return 1
    except Exception as exc:  # an exception while the module initialises
        traceback.print_exc()
        _end("init")
        answer({"init_error": _error(exc)})
        return 1
    _end("init")
    answer({"ready": True, "init_ms": (time.monotonic() - started) * 1000})

    for line in requests:
        request = json.loads(line)
        payload = base64.b64decode(request["payload"])
        try:
            event = json.loads(payload)
            result = handler(event, Context(request))
            try:
                body = json.dumps(result)
            except (TypeError, ValueError) as exc:
                out = {"error": {"errorMessage": "Unable to marshal response: %s" % exc, "errorType": "Runtime.MarshalError", "stackTrace": []}}
            else:
                out = {"result": body}
        except Exception as exc:
            traceback.print_exc()
            out = {"error": _error(exc)}
        _end(request["id"])
        answer(out)
    return 0


class _Tagged(Exception):
    def __init__(self, cause, error_type, message):
        super().__init__(message)
        self.cause = cause
        self.error_type = error_type
        self.message = message


if __name__ == "__main__":
    sys.exit(main())
