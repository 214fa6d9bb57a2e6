#!/usr/bin/env python3
"""Cold-start benchmark: time to the first response of a view in a fresh
interpreter, with the layers unpacked the way Lambda unpacks them.

For each project the layers and the code zip are built by the real tool
(``django-serverless render --deps``), once with bytecode compiled by the
runtime's Python and once with ``DJANGO_SERVERLESS_BYTECODE_PYTHON=off``
(sources only), and unpacked into a Lambda-like tree: the dependencies,
project and runtime layers into ``opt/`` (so ``opt/python`` is /opt/python),
the code zip into ``task/`` (/var/task). Four layouts are measured:

* ``source``: the sources-only zips, as every layer shipped before issue 18;
  on Lambda /opt is read-only, so every cold start compiles every module.
* ``baseline``: the same sources hand-compiled after unpacking with
  ``python -m compileall`` in its default (timestamp) mode, in place: the
  reference a cached-bytecode deployment would give.
* ``ours``: the zips as rendered, hash-based bytecode inside (unchecked in
  the layers, checked in the code zip).
* ``ours-checked``: the same, every .pyc flagged checked-hash (the import
  system then reads and hashes each source): the cost of the other choice.

Every tree is made read-only (directories 0555, files 0444) and, when this
runs as root, the interpreters run as ``nobody``, so no __pycache__ can be
written, as on Lambda; the file lists before and after all runs are compared
to prove it. Each run is a fresh ``python -S -E -s`` with sys.path set as
Lambda's (task root, /opt/python/lib/pythonX.Y/site-packages, /opt/python,
the standard library, which is compiled as on Lambda), which imports the
handler module (Django set up at import), then calls it with an API Gateway
REST event for the view and prints the response. The time to the first
response is measured from before the process is spawned to the response line
read back; the rounds interleave the layouts, so load on the machine hits
them alike. Reported: medians and spread, and the ratios ours/baseline (the
acceptance bound is 1.2) and ours/source.

Projects:

* ``testproj``: the runtime adapter's test project (one view per edge case),
  dependencies layer = Debian's Django; view GET /json/.
* ``shop``: testdata/django/shop (DRF routers, a graphene schema imported by
  its URLconf), dependencies layer = Debian's Django, Django REST framework
  and graphene with everything they import, copied from
  /usr/lib/python3/dist-packages as vendored packages (config ``vendor:``);
  view GET /api/products/ (a DRF viewset).

Usage (bench/coldstart/run.sh builds the binary):
    /usr/bin/python3 bench/coldstart/coldstart.py --bin ./django-serverless [--runs 15]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DIST = "/usr/lib/python3/dist-packages"
REST_SAMPLE = os.path.join(REPO, "pkg", "adapter", "python", "tests", "events", "apigw-request.json")

PROJECTS = {
    "testproj": {
        "src": os.path.join(REPO, "pkg", "adapter", "python", "tests", "proj"),
        "settings": "testproj.settings",
        "packages": ["django"],
        "path": "/json/",
    },
    "shop": {
        "src": os.path.join(REPO, "testdata", "django", "shop", "src"),
        "settings": "shop.settings",
        "packages": ["django", "rest_framework", "graphene"],
        "path": "/api/products/",
    },
}

# The child: Lambda's sys.path, the handler imported, one event served.
CHILD = r"""
import sys, time
t0 = time.perf_counter()
task, opt, version = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path[:0] = [task, opt + "/python/lib/python" + version + "/site-packages", opt + "/python"]
import importlib, json
handler = importlib.import_module("django_serverless.handler")
t1 = time.perf_counter()
event = json.loads(sys.stdin.read())
response = handler.handle(event, None)
t2 = time.perf_counter()
sys.stdout.write(json.dumps({"status": response["statusCode"], "body": response["body"], "import_ms": (t1 - t0) * 1e3, "first_ms": (t2 - t0) * 1e3}) + "\n")
sys.stdout.flush()
"""

LAYOUTS = ("source", "baseline", "ours", "ours-checked")


def closure(packages, settings, src):
    """Top-level names of the Debian modules the project imports to serve a
    request (the packages themselves and what they pull in)."""
    code = (
        "import os, sys, django\n"
        "sys.path.insert(0, %r)\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = %r\n"
        "django.setup()\n"
        "import importlib\n"
        "for p in %r: importlib.import_module(p)\n"
        "from django.conf import settings\n"
        "importlib.import_module(settings.ROOT_URLCONF)\n"
        "from django.test import Client\n"
        "out = set()\n"
        "for m in list(sys.modules.values()):\n"
        "    f = getattr(m, '__file__', None) or ''\n"
        "    if f.startswith(%r + '/'):\n"
        "        out.add(f[len(%r) + 1:].split('/')[0])\n"
        "print('\\n'.join(sorted(out)))\n"
    ) % (src, settings, packages, DIST, DIST)
    env = dict(os.environ, TESTPROJ_DB=os.path.join(tempfile.gettempdir(), "coldstart-closure.sqlite3"))
    out = subprocess.run(["/usr/bin/python3", "-c", code], check=True, capture_output=True, text=True, env=env).stdout.split()
    names = set()
    for entry in out:
        name = entry[:-3] if entry.endswith(".py") else entry
        if name != "_distutils_hack":  # setuptools' .pth machinery, not a dependency
            names.add(name)
    return sorted(names)


def prepare_project(name, spec, work):
    """A copy of the project with its Debian dependencies vendored and the
    runtime set to Debian's Python version."""
    dst = os.path.join(work, "src", name)
    shutil.copytree(spec["src"], dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3", "requirements.txt"))
    vendor = os.path.join(dst, "vendor")
    os.makedirs(vendor)
    mods = closure(spec["packages"], spec["settings"], spec["src"])
    for mod in mods:
        src = os.path.join(DIST, mod)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(vendor, mod), ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), ignore_dangling_symlinks=True)
        else:
            shutil.copy(src + ".py", os.path.join(vendor, mod + ".py"))
    version = "%d.%d" % sys.version_info[:2]
    with open(os.path.join(dst, "django-serverless.yml"), "w") as f:
        f.write('python: "%s"\nvendor: [vendor/]\n' % version)
    return dst, mods


def render(binary, project, out, cache, bytecode_python):
    env = dict(os.environ, DJANGO_SERVERLESS_BYTECODE_PYTHON=bytecode_python, DJANGO_SERVERLESS_CACHE=cache)
    r = subprocess.run([binary, "render", "--project", project, "--out", out, "--deps"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("render %s failed:\n%s" % (project, r.stderr))
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    zips = {}
    for a in manifest["artifacts"]:
        name = (a.get("input_hash") if a["name"] == "deps-layer" else a["sha256"]) + ".zip"
        zips[a["name"]] = os.path.join(out, "artifacts", name)
    return zips, r.stderr


def unpack(zips, root):
    """Layers into root/opt in the functions' order (deps, project, runtime), code into root/task."""
    for name, dest in (("deps-layer", "opt"), ("project-layer", "opt"), ("runtime-layer", "opt"), ("function-code", "task")):
        with zipfile.ZipFile(zips[name]) as z:
            z.extractall(os.path.join(root, dest))
    os.makedirs(os.path.join(root, "task"), exist_ok=True)


def flag_checked(root):
    """Every .pyc of the layers flagged checked-hash (the source hash inside stays valid)."""
    n = 0
    for d, _, files in os.walk(os.path.join(root, "opt")):
        for f in files:
            if f.endswith(".pyc"):
                p = os.path.join(d, f)
                with open(p, "r+b") as fh:
                    head = bytearray(fh.read(8))
                    head[4] |= 0b10
                    fh.seek(0)
                    fh.write(head)
                n += 1
    return n


def read_only(root):
    for d, dirs, files in os.walk(root):
        for f in files:
            os.chmod(os.path.join(d, f), 0o444)
        os.chmod(d, 0o555)


def listing(root):
    out = set()
    for d, dirs, files in os.walk(root):
        for x in dirs + files:
            out.add(os.path.relpath(os.path.join(d, x), root))
    return out


def count(root, suffix):
    return sum(1 for d, _, files in os.walk(root) for f in files if f.endswith(suffix))


def event_for(path):
    with open(REST_SAMPLE) as f:
        e = json.load(f)
    e.update({"path": path, "httpMethod": "GET", "body": None, "resource": path,
              "multiValueQueryStringParameters": None, "queryStringParameters": None})
    e["requestContext"].update({"path": path, "httpMethod": "GET"})
    return json.dumps(e)


def run_once(python, root, settings, event, as_nobody, version, valgrind=False):
    cmd = [python, "-S", "-E", "-s", "-c", CHILD, os.path.join(root, "task"), os.path.join(root, "opt"), version]
    if valgrind:
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd
    if as_nobody:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": settings,
        "DJANGO_SERVERLESS_SCRIPT_NAME": "",
        "DJANGO_SERVERLESS_PERSIST_DB": "0",
        "TESTPROJ_DB": "/tmp/coldstart-testproj.sqlite3",
    }
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    p.stdin.write(event)
    p.stdin.close()
    line = p.stdout.readline()
    t1 = time.perf_counter()
    rest_out, err = p.stdout.read(), p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = status
    if not line:
        raise SystemExit("child failed (%s):\n%s" % (root, err))
    res = json.loads(line)
    res["wall_ms"] = (t1 - t0) * 1e3
    res["cpu_ms"] = (usage.ru_utime + usage.ru_stime) * 1e3
    if valgrind:
        res["instructions"] = int(err.split("Collected :")[1].split()[0].replace(",", ""))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the django-serverless binary")
    ap.add_argument("--python", default=sys.executable, help="the runtime's interpreter (compiles and runs); default: this one")
    ap.add_argument("--runs", type=int, default=15, help="rounds; each runs every layout once")
    ap.add_argument("--projects", default=",".join(PROJECTS))
    ap.add_argument("--keep", help="build the trees in this folder and keep them")
    ap.add_argument("--instructions", action="store_true", help="also count each layout's instructions to the first response once, with valgrind's callgrind (deterministic; slow)")
    a = ap.parse_args()
    version = subprocess.run([a.python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, check=True).stdout.strip()
    if version != "%d.%d" % sys.version_info[:2]:
        raise SystemExit("run this script with the runtime's interpreter (%s is %s)" % (a.python, version))
    work = a.keep or tempfile.mkdtemp(prefix="ds-coldstart-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)
    as_nobody = os.geteuid() == 0
    print("cold start: %d interleaved rounds, Python %s (%s), interpreters run as %s, trees read-only" % (
        a.runs, version, a.python, "nobody" if as_nobody else "this user"))
    try:
        results = {}
        for pname in a.projects.split(","):
            spec = PROJECTS[pname]
            src, mods = prepare_project(pname, spec, work)
            cache = os.path.join(work, "cache", pname)
            trees = {}
            built = {}
            for kind, py in (("source", "off"), ("ours", a.python)):
                zips, log = render(a.bin, src, os.path.join(work, "render", pname, kind), cache, py)
                built[kind] = zips
            for layout in LAYOUTS:
                root = os.path.join(work, "trees", pname, layout)
                unpack(built["ours" if layout.startswith("ours") else "source"], root)
                if layout == "baseline":
                    subprocess.run([a.python, "-m", "compileall", "-q", "-j", "0", os.path.join(root, "opt"), os.path.join(root, "task")], check=True)
                if layout == "ours-checked":
                    flag_checked(root)
                trees[layout] = root
            sizes = {l: (count(r, ".py"), count(r, ".pyc")) for l, r in trees.items()}
            for root in trees.values():
                read_only(root)
            os.chmod(os.path.join(work, "trees", pname), 0o755)
            before = {l: listing(r) for l, r in trees.items()}
            event = event_for(spec["path"])
            samples = {l: [] for l in LAYOUTS}
            bodies = set()
            for r in range(a.runs + 1):
                order = LAYOUTS[r % len(LAYOUTS):] + LAYOUTS[:r % len(LAYOUTS)]
                for layout in order:
                    res = run_once(a.python, trees[layout], spec["settings"], event, as_nobody, version)
                    if res["status"] != 200:
                        raise SystemExit("%s %s: status %s: %s" % (pname, layout, res["status"], res["body"][:300]))
                    bodies.add(res["body"])
                    if r > 0:  # round 0 warms the page cache for every layout alike
                        samples[layout].append(res)
            if len(bodies) != 1:
                raise SystemExit("%s: layouts answered differently" % pname)
            for l, r in trees.items():
                if listing(r) != before[l]:
                    raise SystemExit("%s %s: files appeared in the read-only tree: %s" % (pname, l, sorted(listing(r) - before[l])[:5]))
            counted = {}
            if a.instructions:
                for layout in LAYOUTS:
                    counted[layout] = run_once(a.python, trees[layout], spec["settings"], event, as_nobody, version, valgrind=True)["instructions"]
            results[pname] = (samples, sizes, mods, counted)
        report(results, a.runs)
    finally:
        if not a.keep:
            for d, dirs, files in os.walk(work):
                os.chmod(d, 0o755)
            shutil.rmtree(work, ignore_errors=True)


def med(xs):
    return statistics.median(xs)


def report(results, runs):
    ok = True
    for pname, (samples, sizes, mods, counted) in results.items():
        print("\n%s (%s; %d vendored top-level modules: %s)" % (pname, PROJECTS[pname]["path"], len(mods), ", ".join(mods)))
        print("  %-13s %5s %5s  %-26s %8s %8s %8s  %9s %9s" % ("layout", ".py", ".pyc", "first response ms [min..max]", "cpu ms", "import", "handle", "/baseline", "/source"))
        base = med([s["wall_ms"] for s in samples["baseline"]])
        src = med([s["wall_ms"] for s in samples["source"]])
        cbase = med([s["cpu_ms"] for s in samples["baseline"]])
        for layout in LAYOUTS:
            w = [s["wall_ms"] for s in samples[layout]]
            cpu = med([s["cpu_ms"] for s in samples[layout]])
            imp = med([s["import_ms"] for s in samples[layout]])
            first = med([s["first_ms"] - s["import_ms"] for s in samples[layout]])
            print("  %-13s %5d %5d  %6.0f [%5.0f..%5.0f]      %8.0f %8.0f %8.1f  %9.2f %9.2f   (cpu /baseline %.2f)" % (
                layout, sizes[layout][0], sizes[layout][1], med(w), min(w), max(w), cpu, imp, first, med(w) / base, med(w) / src, cpu / cbase))
        if counted:
            print("  instructions to the first response (callgrind, one run each): " + ", ".join(
                "%s %.0fM (%.2f)" % (l, counted[l] / 1e6, counted[l] / counted["baseline"]) for l in LAYOUTS))
        ratio = med([s["wall_ms"] for s in samples["ours"]]) / base
        verdict = "PASS" if ratio <= 1.2 else "FAIL"
        ok = ok and ratio <= 1.2
        print("  ours / baseline = %.2f (bound 1.2: %s); ours / source = %.2f; source / ours = %.1fx" % (
            ratio, verdict, med([s["wall_ms"] for s in samples["ours"]]) / src, src / med([s["wall_ms"] for s in samples["ours"]])))
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
