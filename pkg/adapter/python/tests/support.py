"""Shared setup for the adapter tests: paths, Django settings, event samples.

Every test module imports this first. Django can be set up once per
process, so all tests share the test project in ``proj/`` and switch the
function configuration with ``handler.reconfigure``.
"""
import atexit
import copy
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
EVENTS = os.path.join(HERE, "events")

for p in (os.path.join(HERE, "proj"), PYTHON_DIR):
    if p not in sys.path:
        sys.path.insert(0, p)

_tmp = tempfile.mkdtemp(prefix="django-serverless-tests-")
atexit.register(shutil.rmtree, _tmp, True)
os.environ["DJANGO_SETTINGS_MODULE"] = "testproj.settings"
os.environ["TESTPROJ_DB"] = os.path.join(_tmp, "db.sqlite3")

_samples = {}


def sample(name):
    """A fresh deep copy of a real event sample from events/."""
    if name not in _samples:
        with open(os.path.join(EVENTS, name + ".json"), encoding="utf-8") as f:
            _samples[name] = json.load(f)
    return copy.deepcopy(_samples[name])


def handler():
    from django_serverless import handler as h

    return h


def configure(script_name="", persist_db=False, function="fn", schema=""):
    return handler().reconfigure(
        {
            "DJANGO_SERVERLESS_SCRIPT_NAME": script_name,
            "DJANGO_SERVERLESS_PERSIST_DB": "1" if persist_db else "0",
            "DJANGO_SERVERLESS_FUNCTION": function,
            "DJANGO_SERVERLESS_GRAPHQL_SCHEMA": schema,
        }
    )


class Context:
    """The parts of the Lambda context object a handler may touch."""

    function_name = "test-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-0000-0000-000000000001"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self):
        return 15000


def invoke(event):
    return handler().handle(event, Context())


def body_json(response):
    return json.loads(response["body"])


# --- event builders based on the real samples --------------------------------


def rest(path, method="GET", stage="testStage", rc_path=None, **fields):
    """A REST API (v1) event for path below the stage."""
    e = sample("apigw-request")
    e["path"] = path
    e["httpMethod"] = method
    e["resource"] = "/{proxy+}"
    e["pathParameters"] = {"proxy": path.lstrip("/")}
    e["requestContext"]["stage"] = stage
    e["requestContext"]["httpMethod"] = method
    e["requestContext"]["path"] = rc_path if rc_path is not None else "/" + stage + path
    e["queryStringParameters"] = None
    e["multiValueQueryStringParameters"] = None
    e["body"] = None
    e["isBase64Encoded"] = False
    e.update(fields)
    return e


def http(raw_path, method="GET", stage="$default", **fields):
    """An HTTP API (v2) event; raw_path is what the client sent."""
    e = sample("apigw-v2-request-no-authorizer")
    e["rawPath"] = raw_path
    e["rawQueryString"] = ""
    e.pop("queryStringParameters", None)
    e.pop("cookies", None)
    e["requestContext"]["http"]["method"] = method
    e["requestContext"]["http"]["path"] = raw_path
    e["requestContext"]["stage"] = stage
    e["body"] = None
    e["isBase64Encoded"] = False
    e.update(fields)
    return e


def function_url(raw_path, method="GET", **fields):
    """A Lambda Function URL event; raw_path is what the client sent (still
    percent-encoded, unlike an HTTP API's)."""
    e = http(raw_path, method=method, **fields)
    e["requestContext"]["domainName"] = "abcdefghij.lambda-url.us-east-1.on.aws"
    e["headers"]["host"] = "abcdefghij.lambda-url.us-east-1.on.aws"
    return e


def alb(path, multi=False, method="GET", **fields):
    e = sample("alb-lambda-target-request-multivalue-headers" if multi else "alb-lambda-target-request-headers-only")
    e["path"] = path
    e["httpMethod"] = method
    e.update(fields)
    return e


def appsync(field, arguments=None, parent="Query", selection="", variables=None, identity="appsync-identity-cognito", headers=None):
    return {
        "arguments": arguments or {},
        "identity": sample(identity),
        "source": None,
        "request": {"headers": headers or {"user-agent": "appsync-test", "host": "x.appsync-api.us-east-1.amazonaws.com"}},
        "prev": None,
        "info": {
            "fieldName": field,
            "parentTypeName": parent,
            "selectionSetList": [],
            "selectionSetGraphQL": selection,
            "variables": variables or {},
        },
        "stash": {},
    }
