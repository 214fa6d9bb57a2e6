#!/usr/bin/env python3
"""Benchmark of the django_serverless runtime (issue 4, "Speed").

1. Per-request overhead of ``django_serverless.handler.handle`` over calling
   Django's WSGI handler directly, same process, same view (``/json/`` of the
   adapter's test project: ``JsonResponse({"ok": True, "items": [1, 2, 3]})``),
   same settings and middleware, for two settings modules: ``testproj.settings``
   (one counting middleware) and ``testproj.settings_stack`` (startproject's 7
   middleware). Target: under 10 % overhead. Both sides get the same request:
   the HTTP API (payload 2.0) sample event of the tests with ``rawPath`` /json/,
   GET, no body, its 8 headers.

   handle side, one event = ``handle(event, None)``: the Lambda handler as the
   runtime calls it with the already JSON-decoded event (decoding the event and
   encoding the result happen in the Lambda runtime client, outside ``handle``,
   and are not timed): event-kind detection, the DB lifecycle hooks, the
   environ built from the event, Django's WSGI handler, the response iterated
   and ``close()``d, and the API Gateway 2.0 response dict (headers, body text).

   bare side, one event = what a minimal WSGI server does for the same request
   once it has parsed it (like wsgiref / gunicorn, with no socket I/O and no
   HTTP parsing, which the adapter does not do either): the request data
   (method, path, query string, the event's headers as (name, value) pairs,
   body bytes, peer address, protocol) are pulled from the same event, an
   environ is built from a per-process static base (header names translated
   ``HTTP_*``, CONTENT_TYPE/CONTENT_LENGTH, PATH_INFO percent-decoded to a
   latin-1 str, ``wsgi.input`` a BytesIO of the body), Django's WSGI handler
   called with a start_response that keeps status and headers, the response
   iterated, joined and ``close()``d (Django's ``request_finished``), and the
   response head serialized to bytes (status line + headers), the server's
   counterpart of the adapter's response dict. Its header-name translation is
   cached like the adapter's, so neither side pays for it per request.

   A "minimal" baseline is printed too for transparency: Django's WSGI handler
   on a copy of a prepared environ, body joined and ``close()``d, nothing else
   (no environ building, no response head): the overhead against it is what
   the adapter costs over hand-written glue that does no request translation.

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
   (min..max) of the per-round overhead ``handle_ns / bare_ns - 1``.

2. Cold import: time to import ``django_serverless.handler`` beyond
   ``django.setup()``, each sample in a fresh interpreter. Target: under 20 ms.

3. Optional (--instructions N): instructions per event of each side counted
   by valgrind's callgrind, (N events - 0 events) / N after the same warm-up,
   PYTHONHASHSEED=0. Deterministic, so free of the load on a shared machine,
   but blind to cache and branch effects; a check on the timed figures.

Run with Debian's Python (it has Django):
    /usr/bin/python3 bench/adapter/bench_handler.py [--events N] [--rounds R] [--instructions N]
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


def prepare(settings):
    """Set Django up; return the sides {"bare", "minimal", "handle"}, each a
    function serving one event, checked to give the same response and warmed up."""
    os.environ.update(env(settings))
    sys.path[:0] = [PYDIR, PROJ]
    from django_serverless import events, handler

    with open(SAMPLE) as f:
        event = json.load(f)
    event.update({"rawPath": "/json/", "rawQueryString": "", "body": None})
    event.pop("cookies", None)
    event["requestContext"]["http"]["method"] = "GET"
    http = event["requestContext"]["http"]

    app = handler.application
    handle = handler.handle
    serve = server(app)

    def bare():
        # The request as a server would have parsed it, from the same event.
        request = (
            http["method"],
            event["rawPath"],
            event["rawQueryString"],
            list(event["headers"].items()),
            b"",
            http["sourceIp"],
            http["protocol"],
        )
        return serve(request)

    template = events.environ(event, events.HTTP, "")
    template.pop("wsgi.input")

    def minimal():
        environ = template.copy()
        environ["wsgi.input"] = BytesIO(b"")
        result = app(environ, lambda s, h, exc_info=None: None)
        try:
            return b"".join(result)
        finally:
            result.close()

    def adapter():
        return handle(event, None)

    # Same response both ways; then warm every side up.
    out = adapter()
    head, body = bare()
    assert out["statusCode"] == 200 and out["body"].encode() == body == minimal(), (out, body)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n"), head
    sides = {"bare": bare, "minimal": minimal, "handle": adapter}
    for f in sides.values():
        for _ in range(200):
            f()
    return sides


def throughput(n, rounds, settings, batch=20):
    """Per-round ns per event: lists (bare, minimal, handle) x (wall, cpu)."""
    sides = prepare(settings)
    from testproj import middleware
    loop = range(batch)
    wall = {k: [] for k in sides}
    cpu = {k: [] for k in sides}
    order = list(sides)
    gc.freeze()  # Django's long-lived objects out of the collector's way
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
    return {"wall": wall, "cpu": cpu}


def count(settings, side, n):
    """Serve n events on one side (after prepare's warm-up); run under callgrind."""
    f = prepare(settings)[side]
    for _ in range(n):
        f()


def instructions(settings, n):
    """Instructions per event of each side, counted by valgrind's callgrind:
    (run of n events - run of 0 events) / n, hash seed fixed. Deterministic,
    so immune to load on the machine (not to CPU cache effects)."""
    out = {}
    for side in ("bare", "minimal", "handle"):
        total = []
        for k in (0, n):
            e = dict(os.environ, PYTHONHASHSEED="0")
            r = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, "--count-only", settings, side, str(k)],
                env=e, check=True, capture_output=True, text=True,
            )
            total.append(int(r.stderr.split("Collected :")[1].split()[0]))
        out[side] = (total[1] - total[0]) / n
    return out


def summary(per):
    """Median events/s per side; median and spread of per-round overheads."""
    eps = {k: 1e9 / statistics.median(v) for k, v in per.items()}
    over = {}
    for base in ("bare", "minimal"):
        ratios = sorted((h / b - 1) * 100 for h, b in zip(per["handle"], per[base]))
        over[base] = (statistics.median(ratios), ratios[0], ratios[-1])
    return eps, over


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=2000, help="events per timed block")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--cold-samples", type=int, default=7)
    p.add_argument("--instructions", type=int, default=0, metavar="N", help="also count instructions per event over N events with valgrind (slow)")
    p.add_argument("--throughput-only", metavar="SETTINGS", help=argparse.SUPPRESS)
    p.add_argument("--count-only", nargs=3, metavar=("SETTINGS", "SIDE", "N"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.count_only:
        count(a.count_only[0], a.count_only[1], int(a.count_only[2]))
        return
    if a.throughput_only:
        print(json.dumps(throughput(a.events, a.rounds, a.throughput_only)))
        return
    print("%d rounds x %d events per side, sides alternating; median [min..max] of per-round overhead" % (a.rounds, a.events))
    for settings, what in (("testproj.settings", "one counting middleware"), ("testproj.settings_stack", "startproject's 7 middleware")):
        # Django is set up once per process: one subprocess per settings module.
        out = subprocess.run(
            [sys.executable, __file__, "--events", str(a.events), "--rounds", str(a.rounds), "--throughput-only", settings],
            check=True, capture_output=True, text=True,
        ).stdout
        res = json.loads(out)
        print("/json/ view, %s:" % what)
        for clock, label in (("wall", "perf_counter_ns"), ("cpu", "process_time_ns")):
            eps, over = summary(res[clock])
            print("  [%s]" % label)
            print("    server-equivalent bare WSGI: %7.0f events/s" % eps["bare"])
            print("    minimal bare WSGI call:      %7.0f events/s" % eps["minimal"])
            print("    handle (HTTP API v2):        %7.0f events/s" % eps["handle"])
            print("    overhead vs server-equivalent: %5.1f %% [%.1f..%.1f]  (target < 10 %%)" % over["bare"])
            print("    overhead vs minimal call:      %5.1f %% [%.1f..%.1f]" % over["minimal"])
        if a.instructions:
            ins = instructions(settings, a.instructions)
            print("  [callgrind, instructions per event over %d events]" % a.instructions)
            print("    server-equivalent %.0f, minimal %.0f, handle %.0f: overhead %.1f %% / %.1f %%" % (
                ins["bare"], ins["minimal"], ins["handle"],
                (ins["handle"] / ins["bare"] - 1) * 100, (ins["handle"] / ins["minimal"] - 1) * 100))
    setup_ms, extra_ms, own_ms = cold(a.cold_samples, compiled=True)
    _, src_extra_ms, src_own_ms = cold(a.cold_samples, compiled=False)
    print("django.setup():        %8.1f ms  (median of %d fresh interpreters)" % (setup_ms, a.cold_samples))
    print("handler import beyond: %8.1f ms  (median, bytecode cached; target < 20 ms)" % extra_ms)
    print("  of which the adapter:%8.1f ms  (beyond Django's own WSGIHandler())" % own_ms)
    print("same from .py only:    %8.1f ms  (adapter part %.1f ms: compiling the runtime)" % (src_extra_ms, src_own_ms))


if __name__ == "__main__":
    main()
