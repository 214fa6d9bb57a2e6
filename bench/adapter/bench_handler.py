#!/usr/bin/env python3
"""Benchmark of the django_serverless runtime (issue 4, "Speed").

1. Per-request overhead of ``django_serverless.handler.handle`` over calling
   Django's WSGI handler directly, same process, same view, same settings and
   middleware, for two settings modules: ``testproj.settings`` (one counting
   middleware) and ``testproj.settings_stack`` (startproject's 7 middleware).
   Target: under 10 % overhead. Four requests, each as the event of its API:

   * ``rest GET``: API Gateway REST (payload 1.0, the default API type), the
     sample event of the tests (``apigw-request.json``: its 19 headers in both
     ``headers`` and ``multiValueHeaders``, query ``name=me`` in both query
     maps) for GET ``/json/``, no body;
   * ``rest POST``: the same event for POST ``/ingest/`` with a 1 KB JSON body
     (``Content-Type: application/json``);
   * ``http GET`` / ``http POST``: the HTTP API (payload 2.0) sample
     (``apigw-v2-request-no-authorizer.json``, 8 headers) for the same two
     requests (``rawQueryString`` ``name=me``; the POST with the same body and
     a ``content-type`` header).

   ``/json/`` answers ``JsonResponse({"ok": True, "items": [1, 2, 3]})``;
   ``/ingest/`` (csrf_exempt) decodes the body with ``json.loads`` and
   answers a 3-key JSON object with status 201.

   handle side, one event = ``handle(event, None)``: the Lambda handler as the
   runtime calls it with the already JSON-decoded event (decoding the event and
   encoding the result happen in the Lambda runtime client, outside ``handle``,
   and are not timed): event-kind detection, the DB lifecycle hooks, the
   environ built from the event, Django's WSGI handler, the response iterated
   and ``close()``d, and the response dict of the event's API (REST:
   ``multiValueHeaders``; 2.0: ``headers`` and ``cookies``).

   server side, one event = what a minimal WSGI server does for the same
   request once it has parsed it (like wsgiref / gunicorn, with no socket I/O
   and no HTTP parsing, which the adapter does not do either): the request
   data (method, path, query string, the event's headers as (name, value)
   pairs, body bytes, peer address, protocol) are pulled from the same event,
   an environ is built from a per-process static base (header names
   translated ``HTTP_*``, CONTENT_TYPE/CONTENT_LENGTH, PATH_INFO
   percent-decoded to a latin-1 str, ``wsgi.input`` a BytesIO of the body),
   Django's WSGI handler called with a start_response that keeps status and
   headers, the response iterated, joined and ``close()``d (Django's
   ``request_finished``), and the response head serialized to bytes (status
   line + headers), the server's counterpart of the adapter's response dict.
   Its header-name translation is cached like the adapter's, so neither side
   pays for it per request.

   bare side (the "bare WSGIHandler call" of the target): Django's WSGI
   handler on a copy of an environ prepared once from the same event, a
   fresh ``wsgi.input`` of the body, body joined and ``close()``d, nothing
   else (no environ building, no response head): the overhead against it is
   what the adapter costs over hand-written glue that does no request
   translation at all.

   Timing: --rounds rounds of --events events per side. Within a round the
   sides take turns in batches of 20 events (order reversed every batch), each
   batch timed with ``time.perf_counter_ns`` (wall) and
   ``time.process_time_ns`` (CPU of this process, less disturbed by other load
   on a shared machine), so a load change on the machine hits all sides alike.
   Each side is warmed up first, so no one-off cost (imports, URL resolver,
   caches) is timed. gc: after warm-up ``gc.freeze()`` (Django's long-lived
   objects leave the collector's generations), then before each round the
   counting middleware's list is cleared and ``gc.collect()`` runs; gc stays
   enabled during timing, as in Lambda, for all sides alike. Reported: median
   events/s of each side over the rounds, and the median and spread
   (min..max) of the per-round overhead ``handle_ns / base_ns - 1``.

2. Cold import: time to import ``django_serverless.handler`` beyond
   ``django.setup()``, each sample in a fresh interpreter, with the runtime's
   bytecode cached (as the runtime layer now ships it) and from sources only.
   Target: under 20 ms. The whole cold start (Django, the dependencies and
   the project from read-only layers) is bench/coldstart's.

3. Optional (--instructions N): instructions per event of each side counted
   by valgrind's callgrind, (N events - 0 events) / N after the same warm-up,
   PYTHONHASHSEED=0. Deterministic, so free of the load on a shared machine,
   but blind to cache and branch effects; a check on the timed figures.

Run with Debian's Python (it has Django):
    /usr/bin/python3 bench/adapter/bench_handler.py [--events N] [--rounds R] [--instructions N]
        [--cases rest-GET,rest-POST,http-GET,http-POST] [--settings testproj.settings,...]
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from urllib.parse import unquote

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PYDIR = os.path.join(REPO, "pkg", "adapter", "python")
PROJ = os.path.join(PYDIR, "tests", "proj")
SAMPLE = os.path.join(PYDIR, "tests", "events", "apigw-v2-request-no-authorizer.json")
REST_SAMPLE = os.path.join(PYDIR, "tests", "events", "apigw-request.json")

# Each sample: django.setup(), then Django's own WSGIHandler() (what a bare
# WSGI deployment needs too), then the import of django_serverless.handler.
COLD = r"""
import sys, time
sys.path[:0] = [%r, %r]
t0 = time.perf_counter()
import django
django.setup()
t1 = time.perf_counter()
if %r:
    from django.core.handlers.wsgi import WSGIHandler
    WSGIHandler()
t2 = time.perf_counter()
import django_serverless.handler
t3 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000)
"""


def env(settings="testproj.settings"):
    e = dict(os.environ)
    e["DJANGO_SETTINGS_MODULE"] = settings
    e["TESTPROJ_DB"] = os.path.join(tempfile.gettempdir(), "django-serverless-bench.sqlite3")
    e["DJANGO_SERVERLESS_SCRIPT_NAME"] = ""
    e["DJANGO_SERVERLESS_PERSIST_DB"] = "0"
    return e


def cold(samples, compiled):
    """Medians (ms): setup, handler import beyond setup, same beyond WSGIHandler().

    compiled: bytecode cached (in a private PYTHONPYCACHEPREFIX, warmed by a
    first run), as when the layer ships .pyc files; else every import
    compiles the runtime's sources, as from a layer of .py files only.
    """
    e = env()
    cache = tempfile.mkdtemp(prefix="ds-bench-pycache-")
    if compiled:
        e.pop("PYTHONDONTWRITEBYTECODE", None)
        e["PYTHONPYCACHEPREFIX"] = cache
        subprocess.run([sys.executable, "-c", COLD % (PYDIR, PROJ, False)], env=e, check=True, capture_output=True)
    else:
        e["PYTHONDONTWRITEBYTECODE"] = "1"
    setup, extra, own = [], [], []
    for _ in range(samples):
        for pre in (False, True):
            out = subprocess.run(
                [sys.executable, "-c", COLD % (PYDIR, PROJ, pre)], env=e, check=True, capture_output=True, text=True
            ).stdout.split()
            if pre:
                own.append(float(out[2]))
            else:
                setup.append(float(out[0]))
                extra.append(float(out[2]))
    return statistics.median(setup), statistics.median(extra), statistics.median(own)


def server(app, script_name=""):
    """A minimal WSGI server's per-request work, minus sockets and parsing.

    Returns serve(request) -> (head bytes, body bytes), request being
    (method, path, query, [(name, value)], body, remote, protocol).
    """
    base = {
        "SCRIPT_NAME": script_name,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "443",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    keys = {}

    def serve(request):
        method, path, query, headers, body, remote, protocol = request
        environ = base.copy()
        for name, value in headers:
            key = keys.get(name)
            if key is None:
                key = name.upper().replace("-", "_")
                if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                    key = "HTTP_" + key
                keys[name] = key
            if key in environ:
                environ[key] += "," + value
            else:
                environ[key] = value
        if "%" in path:
            path = unquote(path, encoding="latin-1")
        environ["REQUEST_METHOD"] = method
        environ["PATH_INFO"] = path
        environ["QUERY_STRING"] = query
        environ["SERVER_PROTOCOL"] = protocol
        environ["REMOTE_ADDR"] = remote
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = BytesIO(body)
        state = []

        def start_response(status, response_headers, exc_info=None):
            if exc_info is not None and state:
                raise exc_info[1].with_traceback(exc_info[2])
            state[:] = [status, response_headers]
            return chunks.append

        chunks = []
        result = app(environ, start_response)
        try:
            for chunk in result:
                if chunk:
                    chunks.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, response_headers = state
        head = "HTTP/1.1 " + status + "\r\n" + "".join(k + ": " + v + "\r\n" for k, v in response_headers) + "\r\n"
        return head.encode("latin-1"), b"".join(chunks)

    return serve


CASES = ("rest-GET", "rest-POST", "http-GET", "http-POST")
SETTINGS = (("testproj.settings", "one counting middleware"), ("testproj.settings_stack", "startproject's 7 middleware"))

# The 1 KB JSON body of the POST cases.
BODY = json.dumps({"items": [{"sku": "SKU-%04d" % i, "qty": i % 7 + 1, "note": "gift wrap"} for i in range(17)], "customer": "c-42"})
BODY = BODY[:-1] + ', "pad": "' + "x" * (1024 - len(BODY) - 11) + '"}'
assert len(BODY) == 1024 and json.loads(BODY), len(BODY)


def make_event(case):
    """The event of a case (see the docstring), from the tests' AWS samples."""
    kind, method = case.split("-")
    path = "/json/" if method == "GET" else "/ingest/"
    body = BODY if method == "POST" else None
    if kind == "rest":
        with open(REST_SAMPLE) as f:
            event = json.load(f)
        event.update({"path": path, "httpMethod": method, "body": body, "isBase64Encoded": False, "resource": path})
        event["requestContext"].update({"path": path, "httpMethod": method, "resourcePath": path})
        event["pathParameters"] = None
        return event
    with open(SAMPLE) as f:
        event = json.load(f)
    event.update({"rawPath": path, "rawQueryString": "name=me", "body": body, "routeKey": "$default"})
    event["queryStringParameters"] = {"name": "me"}
    event.pop("cookies", None)
    event["requestContext"]["http"].update({"method": method, "path": path})
    if body is not None:
        event["headers"]["content-type"] = "application/json"
        event["headers"]["content-length"] = str(len(body))
    return event


def request_of(kind, event):
    """The request as a server would have parsed it, from the same event."""
    if kind == "rest":
        ctx = event["requestContext"]
        return (
            event["httpMethod"],
            event["path"],
            "name=me",
            list(event["headers"].items()),
            event["body"].encode() if event["body"] is not None else b"",
            ctx["identity"]["sourceIp"],
            ctx["protocol"],
        )
    http = event["requestContext"]["http"]
    return (
        http["method"],
        event["rawPath"],
        event["rawQueryString"],
        list(event["headers"].items()),
        event["body"].encode() if event["body"] is not None else b"",
        http["sourceIp"],
        http["protocol"],
    )


def prepare(settings, cases=CASES):
    """Set Django up; return {case: {"server", "bare", "handle"}}, each side a
    function serving one event of the case, checked to give the same
    response and warmed up."""
    os.environ.update(env(settings))
    sys.path[:0] = [PYDIR, PROJ]
    from django_serverless import events, handler

    app = handler.application
    handle = handler.handle
    serve = server(app)
    out = {}
    for case in cases:
        kind = case.split("-")[0]
        event = make_event(case)
        ekind = events.kind(event)
        assert ekind == {"rest": events.REST, "http": events.HTTP}[kind], ekind
        body = event["body"].encode() if event["body"] is not None else b""

        def server_side(kind=kind, event=event):
            return serve(request_of(kind, event))

        template = events.environ(event, ekind, "")
        template.pop("wsgi.input")

        def bare(template=template, body=body):
            environ = template.copy()
            environ["wsgi.input"] = BytesIO(body)
            result = app(environ, lambda s, h, exc_info=None: None)
            try:
                return b"".join(result)
            finally:
                result.close()

        def adapter(event=event):
            return handle(event, None)

        # Same response every way; then warm every side up.
        res = adapter()
        head, sbody = server_side()
        status = 200 if case.endswith("GET") else 201
        assert res["statusCode"] == status and res["body"].encode() == sbody == bare(), (case, res, sbody)
        assert head.startswith(b"HTTP/1.1 %d " % status), head
        sides = {"server": server_side, "bare": bare, "handle": adapter}
        for f in sides.values():
            for _ in range(200):
                f()
        out[case] = sides
    return out


def throughput(n, rounds, settings, cases, batch=20):
    """{case: {"wall"|"cpu": {side: [ns per event, one per round]}}}."""
    prepared = prepare(settings, cases)
    from testproj import middleware
    loop = range(batch)
    gc.freeze()  # Django's long-lived objects out of the collector's way
    res = {}
    for case, sides in prepared.items():
        wall = {k: [] for k in sides}
        cpu = {k: [] for k in sides}
        order = list(sides)
        for r in range(rounds):
            tw = dict.fromkeys(sides, 0)
            tc = dict.fromkeys(sides, 0)
            middleware.seen.clear()
            gc.collect()
            for b in range(max(1, n // batch)):
                for name in order if (r + b) % 2 == 0 else order[::-1]:
                    f = sides[name]
                    c0 = time.process_time_ns()
                    t0 = time.perf_counter_ns()
                    for _ in loop:
                        f()
                    t1 = time.perf_counter_ns()
                    c1 = time.process_time_ns()
                    tw[name] += t1 - t0
                    tc[name] += c1 - c0
            done = max(1, n // batch) * batch
            for name in sides:
                wall[name].append(tw[name] / done)
                cpu[name].append(tc[name] / done)
        res[case] = {"wall": wall, "cpu": cpu}
    return res


def count(settings, case, side, n):
    """Serve n events of a case on one side (after prepare's warm-up); run under callgrind."""
    f = prepare(settings, [case])[case][side]
    for _ in range(n):
        f()


def instructions(settings, case, n):
    """Instructions per event of each side, counted by valgrind's callgrind:
    (run of n events - run of 0 events) / n, hash seed fixed. Deterministic,
    so immune to load on the machine (not to CPU cache effects)."""
    out = {}
    for side in ("server", "bare", "handle"):
        total = []
        for k in (0, n):
            e = dict(os.environ, PYTHONHASHSEED="0")
            r = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, "--count-only", settings, case, side, str(k)],
                env=e, check=True, capture_output=True, text=True,
            )
            total.append(int(r.stderr.split("Collected :")[1].split()[0]))
        out[side] = (total[1] - total[0]) / n
    return out


def summary(per):
    """Median events/s per side; median and spread of per-round overheads."""
    eps = {k: 1e9 / statistics.median(v) for k, v in per.items()}
    over = {}
    for base in ("server", "bare"):
        ratios = sorted((h / b - 1) * 100 for h, b in zip(per["handle"], per[base]))
        over[base] = (statistics.median(ratios), ratios[0], ratios[-1])
    return eps, over


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=2000, help="events per timed block")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--cold-samples", type=int, default=7)
    p.add_argument("--instructions", type=int, default=0, metavar="N", help="also count instructions per event over N events with valgrind (slow)")
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated subset of " + ",".join(CASES))
    p.add_argument("--settings", default=",".join(s for s, _ in SETTINGS), help="comma-separated settings modules")
    p.add_argument("--no-cold", action="store_true", help="skip the cold import measure")
    p.add_argument("--throughput-only", metavar="SETTINGS", help=argparse.SUPPRESS)
    p.add_argument("--count-only", nargs=4, metavar=("SETTINGS", "CASE", "SIDE", "N"), help=argparse.SUPPRESS)
    a = p.parse_args()
    cases = [c for c in a.cases.split(",") if c]
    for c in cases:
        if c not in CASES:
            p.error("unknown case %r" % c)
    if a.count_only:
        count(a.count_only[0], a.count_only[1], a.count_only[2], int(a.count_only[3]))
        return
    if a.throughput_only:
        print(json.dumps(throughput(a.events, a.rounds, a.throughput_only, cases)))
        return
    labels = dict(SETTINGS)
    print("%d rounds x %d events per side, sides alternating; median [min..max] of per-round overhead" % (a.rounds, a.events))
    print("handle = django_serverless.handler.handle; bare = Django's WSGIHandler on a prepared environ; server = a minimal WSGI server's work")
    for settings in a.settings.split(","):
        # Django is set up once per process: one subprocess per settings module.
        out = subprocess.run(
            [sys.executable, __file__, "--events", str(a.events), "--rounds", str(a.rounds), "--cases", ",".join(cases), "--throughput-only", settings],
            check=True, capture_output=True, text=True,
        ).stdout
        res = json.loads(out)
        print("\n%s (%s):" % (settings, labels.get(settings, "")))
        print("  %-10s %-8s %9s %9s %9s   %-24s %-24s" % ("case", "clock", "handle/s", "bare/s", "server/s", "overhead vs bare", "overhead vs server"))
        for case in cases:
            for clock in ("wall", "cpu"):
                eps, over = summary(res[case][clock])
                print("  %-10s %-8s %9.0f %9.0f %9.0f   %5.1f %% [%5.1f..%5.1f]   %5.1f %% [%5.1f..%5.1f]" % (
                    case, clock, eps["handle"], eps["bare"], eps["server"], *over["bare"], *over["server"]))
            if a.instructions:
                ins = instructions(settings, case, a.instructions)
                print("  %-10s %-8s %9.0f %9.0f %9.0f   %5.1f %%                  %5.1f %%  (instructions per event)" % (
                    case, "instr", ins["handle"], ins["bare"], ins["server"],
                    (ins["handle"] / ins["bare"] - 1) * 100, (ins["handle"] / ins["server"] - 1) * 100))
        sys.stdout.flush()
    if a.no_cold:
        return
    setup_ms, extra_ms, own_ms = cold(a.cold_samples, compiled=True)
    _, src_extra_ms, src_own_ms = cold(a.cold_samples, compiled=False)
    print("\ndjango.setup():        %8.1f ms  (median of %d fresh interpreters, bytecode cached)" % (setup_ms, a.cold_samples))
    print("handler import beyond: %8.1f ms  (median, bytecode cached; target < 20 ms)" % extra_ms)
    print("  of which the adapter:%8.1f ms  (beyond Django's own WSGIHandler())" % own_ms)
    print("same from .py only:    %8.1f ms  (adapter part %.1f ms: compiling the runtime)" % (src_extra_ms, src_own_ms))


if __name__ == "__main__":
    main()
