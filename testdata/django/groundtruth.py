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
            is_regex  whether any pattern in the chain is a regex
  ignored   leaf patterns left out of routes, with the reason: DRF
            format-suffix variants and static() file serving
  graphql   {"schema", "query_fields", "mutation_fields", "sdl"} from
            settings.GRAPHENE["SCHEMA"] (sdl: the schema as graphene
            prints it), or null

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
        """A path() route string: <conv:name> and <name> become {name}."""
        i = 0
        while i < len(route):
            if route[i] == "<":
                j = route.index(">", i)
                spec = route[i + 1 : j]
                conv, _, name = spec.rpartition(":")
                if conv == "path" and j + 1 == len(route) and not any(t.strip("^$") for _, t in self.rest):
                    self.out += "{%s+}" % name
                else:
                    self.out += "{%s}" % name
                i = j + 1
            else:
                self.out += route[i]
                i += 1

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
                self.out += e
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
                self.out += c
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


def walk(patterns, parts, namespaces, routes, ignored):
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
            walk(p.url_patterns, chain, ns, routes, ignored)
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
        routes.append(
            {
                "route": route,
                "path": api_path(chain),
                "view": view,
                "name": name,
                "is_regex": any(k == "regex" for k, _ in chain),
            }
        )


def graphql_info(settings):
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

    routes, ignored = [], []
    walk(get_resolver().url_patterns, [], [], routes, ignored)

    out = {
        "settings_module": settings_module,
        "root_urlconf": settings.ROOT_URLCONF,
        "apps": own,
        "routes": routes,
        "ignored": ignored,
        "graphql": graphql_info(settings),
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
