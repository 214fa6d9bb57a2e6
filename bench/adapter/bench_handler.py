#!/usr/bin/env python3
"""Benchmark of the django_serverless runtime (issue 4, "Speed").

1. Per-request overhead: events per second through ``handle`` (an HTTP API
   v2 event) against a bare WSGI call of Django's handler with a prepared
   environ, same process, same small JSON view (``/json/`` of the adapter's
   test project). Target: under 10 % overhead.
2. Cold import: time to import ``django_serverless.handler`` beyond
   ``django.setup()``, each sample in a fresh interpreter. Target: under 20 ms.

Run with Debian's Python (it has Django):
    /usr/bin/python3 bench/adapter/bench_handler.py [--events N] [--rounds R]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO

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


def throughput(n, rounds, settings):
    os.environ.update(env(settings))
    sys.path[:0] = [PYDIR, PROJ]
    from django_serverless import events, handler

    with open(SAMPLE) as f:
        event = json.load(f)
    event.update({"rawPath": "/json/", "rawQueryString": "", "body": None})
    event.pop("cookies", None)
    event["requestContext"]["http"]["method"] = "GET"

    app = handler.application
    template = events.environ(event, events.HTTP, "")
    template.pop("wsgi.input")

    def bare():
        environ = dict(template)
        environ["wsgi.input"] = BytesIO(b"")
        status = []
        result = app(environ, lambda s, h, exc_info=None: status.append(s))
        body = b"".join(result)
        result.close()
        return body

    assert handler.handle(event, None)["body"].encode() == bare()
    handle = handler.handle
    # Interleave small batches, time them in process CPU time and keep the
    # fastest batch of each kind, so load from other processes on a shared
    # machine affects both alike.
    batch = 50
    best_bare, best_handle = float("inf"), float("inf")
    for _ in range(rounds * max(1, n // batch)):
        t0 = time.process_time()
        for _ in range(batch):
            bare()
        t1 = time.process_time()
        for _ in range(batch):
            handle(event, None)
        t2 = time.process_time()
        best_bare = min(best_bare, t1 - t0)
        best_handle = min(best_handle, t2 - t1)
    n = batch
    return n / best_bare, n / best_handle


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cold-samples", type=int, default=7)
    p.add_argument("--throughput-only", metavar="SETTINGS", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.throughput_only:
        print(json.dumps(throughput(a.events, a.rounds, a.throughput_only)))
        return
    for settings, what in (("testproj.settings", "one counting middleware"), ("testproj.settings_stack", "startproject's 7 middleware")):
        # Django is set up once per process: one subprocess per settings module.
        out = subprocess.run(
            [sys.executable, __file__, "--events", str(a.events), "--rounds", str(a.rounds), "--throughput-only", settings],
            check=True, capture_output=True, text=True,
        ).stdout
        bare_eps, handle_eps = json.loads(out)
        overhead = (bare_eps / handle_eps - 1) * 100
        print("/json/ view, %s:" % what)
        print("  bare WSGI call:        %8.0f events/s" % bare_eps)
        print("  handle (HTTP API v2):  %8.0f events/s" % handle_eps)
        print("  adapter overhead:      %8.1f %%   (target < 10 %%)" % overhead)
    setup_ms, extra_ms, own_ms = cold(a.cold_samples, compiled=True)
    _, src_extra_ms, src_own_ms = cold(a.cold_samples, compiled=False)
    print("django.setup():        %8.1f ms  (median of %d fresh interpreters)" % (setup_ms, a.cold_samples))
    print("handler import beyond: %8.1f ms  (median, bytecode cached; target < 20 ms)" % extra_ms)
    print("  of which the adapter:%8.1f ms  (beyond Django's own WSGIHandler())" % own_ms)
    print("same from .py only:    %8.1f ms  (adapter part %.1f ms: compiling the runtime)" % (src_extra_ms, src_own_ms))


if __name__ == "__main__":
    main()
