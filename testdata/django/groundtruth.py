#!/usr/bin/python3
"""Ground truth for static Django discovery, taken from Django itself.

Usage: /usr/bin/python3 groundtruth.py DJANGO_ROOT [SETTINGS_MODULE]
       /usr/bin/python3 groundtruth.py --self-test

DJANGO_ROOT is the folder holding manage.py. SETTINGS_MODULE defaults to the
value manage.py passes to os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...).
The script sets Django up with those settings, walks the URL resolver and
prints one JSON object on stdout:

  settings_module, root_urlconf
  apps      the project's own apps by label, in INSTALLED_APPS order (an app
            is the project's own when its folder lies inside DJANGO_ROOT)
  routes    every leaf URL pattern, in resolver order:
            route     the joined Django patterns ("catalog/<int:pk>/")
            path      the API Gateway form (DESIGN.md section 2, implemented
                      here independently from the Go code)
            view      module.qualname of the callable Django resolves to
            name      namespaces and name joined by ":" ("" when unnamed)
            methods   the HTTP methods the view accepts: a ViewSet's router
                      mapping, a class-based view's handlers (View.options
                      left out), require_http_methods' list, else ["ANY"]
            is_regex  whether any pattern in the chain is a regex
  ignored   leaf patterns left out of routes, with the reason: DRF
            format-suffix variants and static() file serving
  graphql   {"schema", "query_fields", "mutation_fields", "sdl"} of the
            schema a routed GraphQLView.as_view(schema=...) serves, else of
            settings.GRAPHENE["SCHEMA"] (sdl: the schema as graphene prints
            it), or null

Packages Debian does not ship are stood in for by _stubs/ beside this
script (appended to sys.path, so an installed package wins).

Exit status 0 on success; anything else (Django cannot load the project,
the schema cannot be imported) is an error with a message on stderr.
"""
import ast
import importlib
import json
import os
import sys
import warnings


def settings_from_manage(root):
    """The settings module manage.py sets, read from its syntax tree."""
    path = os.path.join(root, "manage.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        fn = node.func
        if not (isinstance(fn, ast.Attribute) and fn.attr == "setdefault"):
            continue
        key, value = node.args[0], node.args[1]
        if (
            isinstance(key, ast.Constant)
            and key.value == "DJANGO_SETTINGS_MODULE"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            return value.value
    raise SystemExit("groundtruth: %s: no DJANGO_SETTINGS_MODULE setdefault" % path)


# ---------------------------------------------------------------------------
# API Gateway paths (DESIGN.md section 2).
#
# The path is built from the pattern chain, outermost first. A route part
# contributes literal text and {name} parameters. A regex part is read token
# by token; the first construct the rules do not allow stops the path: it is
# cut back to the last "/" before that construct and "{proxy+}" is appended.


class Stop(Exception):
    """Raised at the first regex construct that ends the plain path."""

    def __init__(self, at):
        super().__init__(at)
        self.at = at  # length of the output path at the construct's start


# Characters that are literal when escaped with a backslash.
_CLASS_ESCAPES = set("dDwWsSbBAZ")
_QUANTIFIER_START = set("?*+{")


def _group_end(rx, i):
    """Index just past the group opening at rx[i] == "(", honouring escapes and classes."""
    depth = 0
    n = len(rx)
    while i < n:
        c = rx[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(rx, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced group in %r" % rx)


def _class_end(rx, i):
    """Index just past the character class opening at rx[i] == "["."""
    j = i + 1
    if j < len(rx) and rx[j] == "^":
        j += 1
    if j < len(rx) and rx[j] == "]":
        j += 1  # a leading "]" is literal
    while j < len(rx):
        if rx[j] == "\\":
            j += 2
            continue
        if rx[j] == "]":
            return j + 1
        j += 1
    raise ValueError("unterminated class in %r" % rx)


def _class_matches_slash(cls):
    """Whether a class like "[^/.]" or "[\\w-]" can match "/"."""
    body = cls[1:-1]
    negated = body.startswith("^")
    if negated:
        body = body[1:]
    has_slash = False
    i = 0
    items = []
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            items.append(("esc", body[i + 1]))
            i += 2
        else:
            items.append(("lit", body[i]))
            i += 1
    k = 0
    while k < len(items):
        kind, ch = items[k]
        if kind == "esc" and ch in "dws":
            k += 1
            continue
        if kind == "esc" and ch in "DWS":
            has_slash = True
            k += 1
            continue
        # a range a-b
        if k + 2 < len(items) and items[k + 1] == ("lit", "-"):
            lo, hi = ch, items[k + 2][1]
            if lo <= "/" <= hi:
                has_slash = True
            k += 3
            continue
        if ch == "/":
            has_slash = True
        k += 1
    return has_slash != negated


def _can_match_slash(rx):
    """Whether the regex fragment rx can match a "/" anywhere."""
    i = 0
    while i < len(rx):
        c = rx[i]
        if c == "\\":
            e = rx[i + 1] if i + 1 < len(rx) else ""
            if e in "DWS" or e == "/":
                return True
            i += 2
            continue
        if c == "[":
            j = _class_end(rx, i)
            if _class_matches_slash(rx[i:j]):
                return True
            i = j
            continue
        if c == "." or c == "/":
            return True
        i += 1
    return False


def _quantified(rx, j):
    """Whether a quantifier follows position j."""
    return j < len(rx) and rx[j] in _QUANTIFIER_START


class PathBuilder:
    """Accumulates the API Gateway path over a chain of patterns."""

    def __init__(self):
        self.out = "/"
        self.unnamed = 0
        self.stopped = False
        # parts still to come, for the "fills a whole segment" test
        self.rest = []

    def add_route(self, route):
        """A path() route string: <conv:name> and <name> become {name}, when
        they fill a whole segment (API Gateway has no partial-segment
        parameters: "<slug:tag>.json" stops the path); <path:name> becomes
        {name+} only where it ends the route."""
        i = 0
        while i < len(route):
            if route[i] == "<":
                j = route.index(">", i)
                spec = route[i + 1 : j]
                conv, _, name = spec.rpartition(":")
                start = len(self.out)
                if not self.out.endswith("/"):
                    raise Stop(start)  # starts inside a segment
                at_end = j + 1 == len(route) and not any(t.strip("^$") for _, t in self.rest)
                nxt = route[j + 1 : j + 2] if j + 1 < len(route) else self._next_char_after("", 0)
                if nxt not in ("/", ""):
                    raise Stop(start)  # ends inside a segment
                if conv == "path":
                    if not at_end:
                        raise Stop(start)
                    self.out += "{%s+}" % name
                else:
                    self.out += "{%s}" % name
                i = j + 1
            else:
                self.add_char(route[i])
                i += 1

    def add_char(self, c):
        """A literal path character: API Gateway resource paths take
        letters, digits, ".", "_" and "-" (anything else stops the path)."""
        if c != "/" and not (c.isascii() and (c.isalnum() or c in "._-")):
            raise Stop(len(self.out))
        if c == "/" and self.out.endswith("/"):
            raise Stop(len(self.out))  # an empty segment
        self.out += c

    def _next_char_after(self, rx, j):
        """The first path character after rx[j:] (this part, then later parts)."""
        tail = rx[j:]
        if tail in ("$", "\\Z", ""):
            for part in self.rest:
                s = part[1]
                if part[0] == "regex" and s.startswith("^"):
                    s = s[1:]
                if s and s not in ("$",):
                    return s[0]
            return ""
        return tail[0]

    def add_regex(self, rx):
        if rx.startswith("^"):
            rx = rx[1:]
        if rx.endswith("\\Z"):
            rx = rx[:-2]
        elif rx.endswith("$") and not rx.endswith("\\$"):
            rx = rx[:-1]
        # alternation at the top level makes the whole part a choice
        depth, i = 0, 0
        while i < len(rx):
            c = rx[i]
            if c == "\\":
                i += 2
                continue
            if c == "[":
                i = _class_end(rx, i)
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "|" and depth == 0:
                raise Stop(len(self.out))
            i += 1
        i = 0
        while i < len(rx):
            c = rx[i]
            start = len(self.out)
            if c == "\\":
                e = rx[i + 1]
                if e.isalnum():
                    raise Stop(start)  # \d, \w, \b, ... : a class or anchor
                j = i + 2
                if _quantified(rx, j):
                    raise Stop(start)
                self.add_char(e)
                i = j
            elif c == "(":
                j = _group_end(rx, i)
                inner = rx[i + 1 : j - 1]
                if inner.startswith("?P<"):
                    name = inner[3 : inner.index(">")]
                    body = inner[inner.index(">") + 1 :]
                elif inner.startswith("?"):
                    raise Stop(start)  # (?:...), lookarounds, flags
                else:
                    name = None
                    body = inner
                if _quantified(rx, j):
                    raise Stop(start)
                if not self.out.endswith("/"):
                    raise Stop(start)  # starts inside a segment
                if self._next_char_after(rx, j) not in ("/", ""):
                    raise Stop(start)  # ends inside a segment
                if _can_match_slash(body):
                    raise Stop(start)
                if name is None:
                    self.unnamed += 1
                    name = "arg%d" % self.unnamed
                self.out += "{%s}" % name
                i = j
            elif c == "[" or c == "." or c in _QUANTIFIER_START or c in "^$|)":
                raise Stop(start)
            else:
                if _quantified(rx, i + 1):
                    raise Stop(start)
                self.add_char(c)
                i += 1


def api_path(parts):
    """parts: [("route"|"regex", text), ...] outermost first."""
    b = PathBuilder()
    try:
        for k, (kind, text) in enumerate(parts):
            b.rest = parts[k + 1 :]
            if kind == "route":
                b.add_route(text)
            else:
                b.add_regex(text)
    except Stop as s:
        cut = b.out[: s.at]
        cut = cut[: cut.rfind("/") + 1]
        return cut + "{proxy+}"
    return b.out


# ---------------------------------------------------------------------------
# Views and the resolver walk.


def view_path(func):
    """(module, qualname) of the callable Django resolves to (DESIGN.md section 2):
    the class of an as_view() function (Django's view_class, DRF's cls), the
    class of a callable instance, else the function under its decorators."""
    cls = getattr(func, "view_class", None) or getattr(func, "cls", None)
    if cls is not None:
        qual = cls.__qualname__
        if "<locals>" in qual or qual.rpartition(".")[2] != cls.__name__:
            # DRF's @api_view builds a class with type() and renames it
            # after the decorated function.
            qual = cls.__name__
        return cls.__module__, qual
    if not hasattr(func, "__name__"):
        # a callable instance, such as a syndication Feed()
        return type(func).__module__, type(func).__qualname__
    seen = set()
    while hasattr(func, "__wrapped__") and id(func) not in seen:
        seen.add(id(func))
        func = func.__wrapped__
    return func.__module__, func.__qualname__


def check_func_path(func, module, qual):
    """Cross-check a view against Django's own ResolverMatch._func_path
    formula (module + "." + __name__), which has no qualname."""
    if hasattr(func, "__name__"):
        want = (func.__module__, func.__name__)
    else:
        want = (type(func).__module__, type(func).__name__)
    if (module, qual.rpartition(".")[2]) != want:
        raise SystemExit(
            "groundtruth: view %s.%s disagrees with Django's %s.%s" % ((module, qual) + want)
        )


# View.http_method_names: the order methods are listed in.
HTTP_ORDER = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]


def _defining_class(cls, name):
    """The class of cls's MRO whose own namespace defines name, or None."""
    for k in cls.__mro__:
        if name in vars(k):
            return k
    return None


def _class_methods(cls, allowed):
    """The handlers a class-based view defines or inherits, uppercased, in
    http_method_names order; View.options / APIView.options, which every
    view has, are not listed."""
    from django.views.generic.base import View

    implicit = {View}
    try:
        from rest_framework.views import APIView

        implicit.add(APIView)
    except ImportError:
        pass
    out = []
    for m in HTTP_ORDER:
        if m not in allowed:
            continue
        k = _defining_class(cls, m)
        if k is None or (m == "options" and k in implicit):
            continue
        out.append(m.upper())
    return out or ["ANY"]


def view_methods(callback):
    """The HTTP methods a view accepts, as Django and DRF decide them: a
    ViewSet's router mapping, a class-based view's handlers (narrowed by
    as_view(http_method_names=...)), the list require_http_methods keeps in
    its closure, else ["ANY"]."""
    actions = getattr(callback, "actions", None)
    if actions:
        return [m.upper() for m in actions]
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is not None:
        initkwargs = getattr(callback, "view_initkwargs", None) or getattr(callback, "initkwargs", None) or {}
        allowed = initkwargs.get("http_method_names") or cls.http_method_names
        return _class_methods(cls, allowed)
    f, seen = callback, set()
    while f is not None and id(f) not in seen:
        seen.add(id(f))
        code = getattr(f, "__code__", None)
        if code is not None and f.__closure__:
            for name, cell in zip(code.co_freevars, f.__closure__):
                if name == "request_method_list":
                    return [m.upper() for m in cell.cell_contents]
        f = getattr(f, "__wrapped__", None)
    return ["ANY"]


def walk(patterns, parts, namespaces, routes, ignored, callbacks=None):
    from django.urls import URLPattern, URLResolver
    from django.urls.resolvers import RegexPattern, RoutePattern

    for p in patterns:
        pat = p.pattern
        if isinstance(pat, RoutePattern):
            part = ("route", str(pat))
        elif isinstance(pat, RegexPattern):
            part = ("regex", str(pat))
        else:
            raise SystemExit("groundtruth: unknown pattern type %r" % type(pat))
        chain = parts + [part]
        route = "".join(t for _, t in chain)
        if isinstance(p, URLResolver):
            ns = namespaces + ([p.namespace] if p.namespace else [])
            walk(p.url_patterns, chain, ns, routes, ignored, callbacks)
            continue
        if not isinstance(p, URLPattern):
            raise SystemExit("groundtruth: unknown URL entry %r" % p)
        module, qual = view_path(p.callback)
        check_func_path(p.callback, module, qual)
        view = module + "." + qual
        if part[0] == "regex" and "\\.(?P<format>" in part[1]:
            ignored.append({"route": route, "view": view, "reason": "format suffix"})
            continue
        if view == "django.views.static.serve":
            ignored.append({"route": route, "view": view, "reason": "static()"})
            continue
        name = ":".join(namespaces + [p.name]) if p.name else ""
        if callbacks is not None:
            callbacks.append(p.callback)
        routes.append(
            {
                "route": route,
                "path": api_path(chain),
                "view": view,
                "name": name,
                "methods": view_methods(p.callback),
                "is_regex": any(k == "regex" for k, _ in chain),
            }
        )


def _dotted_name(obj, root):
    """module.name of the module-level name of the project that defines obj
    (assigns it, rather than importing it), preferring the name "schema"."""
    import re

    found = []
    for modname, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", None) or ""
        if not path or os.path.commonpath([root, os.path.abspath(path)]) != root:
            continue
        for attr, value in list(vars(mod).items()):
            if value is not obj:
                continue
            with open(path, encoding="utf-8") as f:
                defined = re.search(r"^%s\s*=" % re.escape(attr), f.read(), re.M) is not None
            found.append((not defined, attr != "schema", modname, attr))
    if not found:
        return None
    found.sort()
    return found[0][2] + "." + found[0][3]


def graphql_info(settings, callbacks=(), root=""):
    """The graphene schema: the one a routed GraphQLView.as_view(schema=...)
    serves, else GRAPHENE["SCHEMA"]."""
    schema, dotted = None, None
    for cb in callbacks:
        cls = getattr(cb, "view_class", None)
        if cls is None:
            continue
        if not any(k.__module__ == "graphene_django.views" and k.__name__ == "GraphQLView" for k in cls.__mro__):
            continue
        s = (getattr(cb, "view_initkwargs", None) or {}).get("schema")
        if s is not None:
            schema, dotted = s, _dotted_name(s, root)
            break
    if schema is None:
        conf = getattr(settings, "GRAPHENE", None)
        if not isinstance(conf, dict) or not conf.get("SCHEMA"):
            return None
        dotted = conf["SCHEMA"]
        module, _, attr = dotted.rpartition(".")
        schema = getattr(importlib.import_module(module), attr)

    def names(t):
        if t is None:
            return []
        return list(t.fields.keys())

    if hasattr(schema, "get_query_type"):  # graphene 2
        q, m = schema.get_query_type(), schema.get_mutation_type()
    else:  # graphene 3
        gs = schema.graphql_schema
        q, m = gs.query_type, gs.mutation_type
    return {
        "schema": dotted,
        "query_fields": names(q),
        "mutation_fields": names(m),
        "sdl": str(schema).strip() + "\n",
    }


# The DESIGN.md examples and the edge cases of the rules, checked by --self-test.
SELF_TEST = [
    ([("regex", r"^search/?$")], "/{proxy+}"),
    ([("route", "orders/"), ("regex", r"^receipts/(?P<number>[0-9]+)(?:\.pdf)?$")], "/orders/receipts/{proxy+}"),
    ([("regex", r"^robots\.txt$")], "/robots.txt"),
    ([("regex", r"^sitemap\-index\.xml$")], "/sitemap-index.xml"),
    ([("route", "catalog/<int:pk>/")], "/catalog/{pk}/"),
    ([("route", "docs/<path:page>")], "/docs/{page+}"),
    ([("route", "docs/"), ("route", "<path:page>")], "/docs/{page+}"),
    ([("route", "badge/<slug:tag>.json")], "/badge/{proxy+}"),
    ([("route", "users/~redirect/")], "/users/{proxy+}"),
    ([("route", "a//b/")], "/a/{proxy+}"),
    ([("regex", r"^caf\xe9/$")], "/{proxy+}"),
    ([("route", "v<int:n>/x/")], "/{proxy+}"),
    ([("route", "files/<path:p>/meta/")], "/files/{proxy+}"),
    ([("route", "a/<slug>/")], "/a/{slug}/"),
    ([("route", "")], "/"),
    ([("regex", r"^$")], "/"),
    ([("regex", r"^a/(\d+)/"), ("regex", r"^b/(\d+)/$")], "/a/{arg1}/b/{arg2}/"),
    ([("regex", r"^a/(?P<x>\d+)/(\d+)/$")], "/a/{x}/{arg1}/"),
    ([("regex", r"^item-(?P<id>\d+)/$")], "/{proxy+}"),
    ([("regex", r"^files/(?P<p>.+)$")], "/files/{proxy+}"),
    ([("regex", r"^x/(?P<id>\d+)\.json$")], "/x/{proxy+}"),
    ([("regex", r"^x/(?P<id>\d+)?/$")], "/x/{proxy+}"),
    ([("regex", r"^x/[0-9]+/$")], "/x/{proxy+}"),
    ([("regex", r"^x/\d+/$")], "/x/{proxy+}"),
    ([("regex", r"^x/y.z/$")], "/x/{proxy+}"),
    ([("regex", r"^x/ab*/$")], "/x/{proxy+}"),
    ([("regex", r"^a/$|^b/$")], "/{proxy+}"),
    ([("regex", r"^(?:about|contact)/$")], "/{proxy+}"),
    ([("regex", r"^feeds/(?P<k>rss|atom)/$")], "/feeds/{k}/"),
    ([("regex", r"^(?P<slug>[\w-]+)/$")], "/{slug}/"),
    ([("regex", r"^(?P<p>[^/]+)/$")], "/{p}/"),
    ([("regex", r"^(?P<p>[^/.]+)$")], "/{p}"),
    ([("regex", r"^(?P<p>[^.]+)/$")], "/{proxy+}"),
    ([("regex", r"^(?P<p>[!-~]+)/$")], "/{proxy+}"),
    ([("regex", r"^(?P<p>\S+)/$")], "/{proxy+}"),
    ([("regex", r"^v1/"), ("route", "items/<int:id>")], "/v1/items/{id}"),
    ([("regex", r"^(?P<id>\d+)"), ("route", "x/")], "/{proxy+}"),
    ([("route", "api/"), ("regex", r"^products/(?P<sku>[^/.]+)/set-price/$")], "/api/products/{sku}/set-price/"),
]


def self_test():
    bad = 0
    for parts, want in SELF_TEST:
        got = api_path(parts)
        if got != want:
            bad += 1
            sys.stderr.write("api_path(%r) = %r, want %r\n" % (parts, got, want))
    if bad:
        return 1
    print("ok: %d cases" % len(SELF_TEST))
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    root = os.path.abspath(argv[1])
    settings_module = argv[2] if len(argv) == 3 else settings_from_manage(root)
    sys.path.insert(0, root)
    # Stand-ins for third-party packages Debian does not ship (graphene-django's
    # GraphQLView): last on the path, so an installed package wins.
    stubs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_stubs")
    if os.path.isdir(stubs):
        sys.path.append(stubs)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    warnings.simplefilter("ignore")

    import django
    from django.apps import apps
    from django.conf import settings
    from django.urls import get_resolver

    django.setup()

    own = []
    for cfg in apps.get_app_configs():
        path = os.path.abspath(cfg.path)
        if os.path.commonpath([root, path]) == root:
            own.append(cfg.label)

    routes, ignored, callbacks = [], [], []
    walk(get_resolver().url_patterns, [], [], routes, ignored, callbacks)

    out = {
        "settings_module": settings_module,
        "root_urlconf": settings.ROOT_URLCONF,
        "apps": own,
        "routes": routes,
        "ignored": ignored,
        "graphql": graphql_info(settings, callbacks, root),
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
