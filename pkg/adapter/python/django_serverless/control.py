"""Management events: management commands and the preview database.

Two event kinds, answered by the function that has management enabled (the
templates' manage function; any other function refuses them):

``{"django_serverless": "manage", "command": "migrate", "args": ["--noinput"]}``
    runs a management command. ``command`` must be one of the function's
    allowed commands (``DJANGO_SERVERLESS_MANAGE_ALLOW``, comma-separated,
    from the config's ``manage.commands``); ``args`` is a list of strings
    handed to Django's parser as they are (no shell; ``--settings`` and
    ``--pythonpath`` are refused: the function's settings are fixed).
    Optional ``"timeout"``: seconds, at most what the invocation has left.
    Optional ``"skip_sqlite": true`` (a deploy's own migrate): when every
    database in DATABASES is SQLite, a file local to each function, the
    command is not run and the output's last line is
    ``{"skipped": "sqlite"}``.
``{"django_serverless": "database", "action": "create"|"drop"|"fixtures"}``
    for ``pr-<N>`` previews only: creates the preview's own database when it
    is missing (from the configured template database), drops it, or loads
    the configured fixtures into it.

Both answer (as the invocation's result, not as a function error)::

    {"django_serverless": "manage", "command": "migrate", "args": [...],
     "exit_status": 0, "timed_out": false, "output": "...",
     "truncated": false, "duration_ms": 1234}

``exit_status`` is the command's (0 success, 1 a CommandError, 2 refused),
``null`` when the command was stopped at its timeout. ``output`` is
stdout and stderr interleaved; beyond 1 MiB only the first 64 KiB and the
last part are kept (``truncated``). The command runs in a child process
(:mod:`django_serverless.command`) that is killed at the timeout, which is
set to end a few seconds before the Lambda invocation would, so the
answer always comes back.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

MANAGE = "manage"
DATABASE = "database"
ALLOW_VAR = "DJANGO_SERVERLESS_MANAGE_ALLOW"

#: Seconds kept back from the invocation's remaining time: stopping the
#: child (SIGTERM, then SIGKILL after KILL_GRACE) and answering.
MARGIN = 3.0
KILL_GRACE = 1.0
MAX_ARGS = 256
MAX_ARG_LEN = 8192
MAX_OUTPUT = 1 << 20
HEAD = 64 << 10

_COMMAND = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$")
_FIXED_OPTIONS = ("--settings", "--pythonpath")
_DB_ACTIONS = ("create", "drop", "fixtures")


class Refused(Exception):
    """A management event this function does not run."""


def allowed(environ=None):
    """The commands this function may run (an empty set: none)."""
    environ = os.environ if environ is None else environ
    raw = environ.get(ALLOW_VAR, "")
    return frozenset(c.strip() for c in raw.split(",") if c.strip())


def _check_manage(event, allow):
    command = event.get("command")
    if not isinstance(command, str) or not _COMMAND.match(command):
        raise Refused("manage event: command must be a management command name, not %r" % (command,))
    if not allow:
        raise Refused("this function does not run management commands (only the manage function does)")
    if command not in allow:
        raise Refused(
            "management command %r is not allowed here; allowed: %s (config: manage.commands)"
            % (command, ", ".join(sorted(allow)))
        )
    args = event.get("args", [])
    if args is None:
        args = []
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise Refused("manage event: args must be a list of strings")
    if len(args) > MAX_ARGS or any(len(a) > MAX_ARG_LEN or "\x00" in a for a in args):
        raise Refused("manage event: at most %d arguments of at most %d characters, no NUL" % (MAX_ARGS, MAX_ARG_LEN))
    for a in args:
        if a.split("=", 1)[0] in _FIXED_OPTIONS:
            raise Refused("manage event: %s is fixed by the function's environment and cannot be passed" % a.split("=", 1)[0])
    return command, list(args)


def _timeout(event, context):
    remaining = None
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        remaining = context.get_remaining_time_in_millis() / 1000.0 - MARGIN
    asked = event.get("timeout")
    if asked is not None:
        if isinstance(asked, bool) or not isinstance(asked, (int, float)) or asked <= 0:
            raise Refused("manage event: timeout must be a positive number of seconds")
        remaining = asked if remaining is None else min(asked, remaining)
    if remaining is not None and remaining < 1:
        raise Refused("not enough time left in this invocation to run a command (raise the manage function's timeout)")
    return remaining


def handle(ekind, event, context):
    """Answer a manage or database event."""
    started = time.monotonic()
    out = {"django_serverless": ekind}
    try:
        allow = allowed()
        if ekind == MANAGE:
            command, args = _check_manage(event, allow)
            out["command"], out["args"] = command, args
            argv = ["manage", command] + args
            skip = event.get("skip_sqlite", False)
            if not isinstance(skip, bool):
                raise Refused("manage event: skip_sqlite must be true or false")
            if skip:
                argv[0] = "manage-unless-sqlite"
        else:
            action = event.get("action")
            if action not in _DB_ACTIONS:
                raise Refused("database event: action must be one of %s, not %r" % (", ".join(_DB_ACTIONS), action))
            if not allow:
                raise Refused("this function does not manage databases (only the manage function does)")
            out["action"] = action
            argv = ["database", action]
        timeout = _timeout(event, context)
    except Refused as err:
        out.update(exit_status=2, timed_out=False, output="refused: %s\n" % err, truncated=False, duration_ms=0)
        return out
    status, timed_out, text, truncated = run_child(argv, timeout)
    out.update(
        exit_status=status,
        timed_out=timed_out,
        output=text,
        truncated=truncated,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    return out


class _Capture:
    """Keeps the first HEAD bytes and the last MAX_OUTPUT - HEAD bytes."""

    def __init__(self):
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def feed(self, data):
        room = HEAD - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        self.tail += data
        extra = len(self.tail) - (MAX_OUTPUT - HEAD)
        if extra > 0:
            del self.tail[:extra]
            self.dropped += extra

    def text(self):
        if self.dropped:
            marker = ("\n[... %d bytes of output left out ...]\n" % self.dropped).encode()
            data = bytes(self.head) + marker + bytes(self.tail)
        else:
            data = bytes(self.head) + bytes(self.tail)
        return data.decode("utf-8", "replace"), bool(self.dropped)


def run_child(argv, timeout):
    """Run ``python -m django_serverless.command ARGV`` with the function's
    environment; (exit status or None, timed out, output, truncated)."""
    env = dict(os.environ)
    # The child sees the same modules: the task root, the layers, the runtime.
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.Popen(
        [sys.executable, "-m", "django_serverless.command"] + argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=os.getcwd(),
        start_new_session=True,  # its own process group: a timeout ends all it started
    )
    capture = _Capture()

    def pump():
        while True:
            chunk = proc.stdout.read1(65536) if hasattr(proc.stdout, "read1") else proc.stdout.read(65536)
            if not chunk:
                return
            capture.feed(chunk)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    timed_out = False
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _stop(proc)
        status = None
    reader.join(KILL_GRACE)
    proc.stdout.close()
    text, truncated = capture.text()
    if timed_out:
        text += "\n[stopped: the command ran longer than %.0f s]\n" % timeout
    elif status is not None and status < 0:
        text += "\n[the command was ended by signal %d]\n" % -status
    return status, timed_out, text, truncated


def _stop(proc):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=KILL_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue
