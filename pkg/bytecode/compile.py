"""Compile Python sources into hash-based .pyc files (PEP 552).

Run by pkg/bytecode with the interpreter of the Lambda runtime's version.
Requests come on stdin, one frame a file: three big-endian uint32 lengths,
then the path Lambda will see (UTF-8), the output path (UTF-8) and the
source bytes. For each, one line on stdout, in order: "K" when the .pyc was
written, "E <line> <message>" when the source does not compile.

A .pyc is what py_compile.compile(..., invalidation_mode=CHECKED_HASH or
UNCHECKED_HASH) writes for the same source and dfile: the magic number, the
flags (hash-based, check_source), the source's SipHash and the marshalled
code object, compiled at optimisation level 0 as Lambda runs. Nothing of the
build machine (mtime, source path on disk, umask) enters it.
"""

import importlib.util
import marshal
import struct
import sys
import warnings


def read(stream, n):
    data = stream.read(n)
    if len(data) != n:
        raise SystemExit("compile.py: truncated request")
    return data


def main():
    mode = sys.argv[1]
    if mode not in ("checked", "unchecked"):
        raise SystemExit("compile.py: mode must be checked or unchecked, not %r" % mode)
    flags = (0b11 if mode == "checked" else 0b01).to_bytes(4, "little")
    magic = importlib.util.MAGIC_NUMBER
    warnings.simplefilter("ignore")  # SyntaxWarning/DeprecationWarning: not ours to report
    inp = sys.stdin.buffer
    out = sys.stdout
    while True:
        head = inp.read(12)
        if not head:
            break
        if len(head) != 12:
            raise SystemExit("compile.py: truncated request")
        nd, no, ns = struct.unpack(">III", head)
        dfile = read(inp, nd).decode("utf-8")
        target = read(inp, no).decode("utf-8")
        source = read(inp, ns)
        try:
            code = compile(source, dfile, "exec", dont_inherit=True, optimize=0)
        except Exception as err:  # SyntaxError, ValueError (NUL bytes), RecursionError
            line = getattr(err, "lineno", None) or 0
            msg = getattr(err, "msg", None) or str(err)
            out.write("E %d %s: %s\n" % (line, type(err).__name__, " ".join(str(msg).split())))
        else:
            data = magic + flags + importlib.util.source_hash(source) + marshal.dumps(code)
            with open(target, "wb") as f:
                f.write(data)
            out.write("K\n")
        out.flush()


main()
