"""AppSync direct Lambda resolver events -> the project's graphene schema.

AppSync calls one root field per invocation (a list of them when batching).
The field is re-executed against the graphene schema as a one-field
operation built from ``info.fieldName``, ``info.parentTypeName`` and
``info.selectionSetGraphQL`` (aliases removed: AppSync reads the answer by
field name and applies aliases itself). Root arguments travel as GraphQL variables;
their types are read from the schema's own definition of the field (the same
type objects introspection reports), so they coerce exactly as in the
original request. Variables the client used inside the selection set are
inlined as literals from ``info.variables``.

Only root fields (Query and Mutation) run here: a resolver on a nested type
would need the parent object, which AppSync only gives as JSON ``source``.

Works with graphene 2 (graphql-core 2) and graphene 3 (graphql-core 3): the
schema is reached through ``schema.graphql_schema`` when present (graphene 3)
and the root types through ``query_type``/``get_query_type()``.
"""

import json
import re

_schemas = {}


class FieldError(Exception):
    """The GraphQL field failed; AppSync shows the class name and message."""


class UnsupportedResolver(FieldError):
    """A resolver this runtime cannot execute (nested types, unknown fields)."""


def load_schema(path):
    """Import the dotted schema path once; '' falls back to settings.GRAPHENE."""
    if not path:
        from django.conf import settings

        path = (getattr(settings, "GRAPHENE", None) or {}).get("SCHEMA", "")
    if not path:
        raise UnsupportedResolver(
            "no GraphQL schema configured: set DJANGO_SERVERLESS_GRAPHQL_SCHEMA or GRAPHENE['SCHEMA']"
        )
    schema = _schemas.get(path)
    if schema is None:
        from django.utils.module_loading import import_string

        schema = import_string(path)
        _schemas[path] = schema
    return schema


def _core(schema):
    return getattr(schema, "graphql_schema", schema)


def _root(core, op):
    attr = op + "_type"
    if hasattr(core, attr):  # graphql-core 3
        return getattr(core, attr)
    return getattr(core, "get_%s_type" % op)()  # graphql-core 2


def _fields(gtype):
    fields = gtype.fields
    return fields() if callable(fields) else fields


def _operation(schema, parent):
    core = _core(schema)
    for op, default in (("query", "Query"), ("mutation", "Mutation")):
        gtype = _root(core, op)
        if gtype is not None and parent in (gtype.name, default):
            return op, gtype
    raise UnsupportedResolver(
        "resolver on %s is not supported: django_serverless resolves only root Query and Mutation "
        "fields; resolve nested fields in graphene below the root field instead" % parent
    )


def _literal(value):
    """A JSON value as a GraphQL literal."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s: %s" % (k, _literal(v)) for k, v in value.items()) + "}"
    raise UnsupportedResolver("cannot express %s as a GraphQL literal" % type(value).__name__)


# A string literal (block or plain) or a $variable reference.
_TOKENS = re.compile(r'"""(?:\\"""|[^"]|"(?!""))*"""|"(?:\\.|[^"\\])*"|\$([_A-Za-z][_0-9A-Za-z]*)')


def inline_variables(selection, variables):
    """Replace $name outside string literals by the value's literal."""

    def repl(m):
        name = m.group(1)
        if name is None:
            return m.group(0)
        if name not in variables:
            raise UnsupportedResolver("selection set uses $%s but info.variables has no such value" % name)
        return _literal(variables[name])

    return _TOKENS.sub(repl, selection)


def strip_aliases(selection):
    """The selection set without aliases.

    AppSync completes the field from the returned object by field name
    and applies the client's aliases itself: an answer keyed by alias would
    leave those fields null. (A selection asking one field twice with
    different arguments cannot be answered by name; graphene reports the
    conflict.)
    """
    from graphql.language.parser import parse
    from graphql.language.printer import print_ast

    doc = parse("query " + selection)
    stack = [doc.definitions[0].selection_set]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        for sel in node.selections:
            if getattr(sel, "alias", None) is not None:
                sel.alias = None
            stack.append(getattr(sel, "selection_set", None))
    text = print_ast(doc.definitions[0].selection_set)
    return text


def build(schema, info, arguments):
    """Return (operation text, variables) executing the one root field."""
    field = info.get("fieldName")
    parent = info.get("parentTypeName")
    if not isinstance(field, str) or not field:
        raise UnsupportedResolver("AppSync event has no info.fieldName")
    op, gtype = _operation(schema, parent)
    fdef = _fields(gtype).get(field)
    if fdef is None:
        raise UnsupportedResolver("%s has no field %s in the graphene schema" % (gtype.name, field))
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise UnsupportedResolver("AppSync event arguments must be an object")
    decls, uses, values = [], [], {}
    for name in sorted(arguments):
        arg = fdef.args.get(name)
        if arg is None:
            raise UnsupportedResolver("%s.%s has no argument %s" % (gtype.name, field, name))
        var = "ds_" + name
        decls.append("$%s: %s" % (var, arg.type))
        uses.append("%s: $%s" % (name, var))
        values[var] = arguments[name]
    selection = info.get("selectionSetGraphQL") or ""
    if not isinstance(selection, str):
        raise UnsupportedResolver("info.selectionSetGraphQL must be a string")
    variables = info.get("variables") or {}
    if selection and "$" in selection:
        selection = inline_variables(selection, variables)
    if selection and ":" in selection:
        selection = strip_aliases(selection)
    text = "%s AppSync%s%s { %s%s %s }" % (
        op,
        field[:1].upper() + field[1:],
        "(" + ", ".join(decls) + ")" if decls else "",
        field,
        "(" + ", ".join(uses) + ")" if uses else "",
        selection,
    )
    return text, values


class _Identity(dict):
    """The AppSync identity with attribute access for convenience."""

    __getattr__ = dict.get


def request_for(event):
    """A Django HttpRequest carrying the AppSync headers and identity."""
    from django.http import HttpRequest

    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = "/graphql"
    req = event.get("request") if isinstance(event.get("request"), dict) else {}
    headers = req.get("headers") if isinstance(req.get("headers"), dict) else {}
    for name, value in headers.items():
        key = str(name).upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            request.META[key] = str(value)
        else:
            request.META["HTTP_" + key] = str(value)
    identity = event.get("identity") if isinstance(event.get("identity"), dict) else {}
    source_ip = identity.get("sourceIp")
    if isinstance(source_ip, list):
        source_ip = source_ip[0] if source_ip else None
    request.META["REMOTE_ADDR"] = source_ip or "127.0.0.1"
    request.META.setdefault("HTTP_HOST", "appsync")
    request.META["SERVER_NAME"] = "appsync"
    request.META["SERVER_PORT"] = "443"
    request.identity = _Identity(identity)
    request.appsync = event
    try:
        from django.contrib.auth.models import AnonymousUser
        from django.apps import apps

        if apps.is_installed("django.contrib.auth"):
            request.user = AnonymousUser()
    except ImportError:
        pass
    return request


def execute(schema, text, variables, context):
    """schema.execute across graphene 2 and 3 keyword spellings."""
    try:
        return schema.execute(text, variable_values=variables, context_value=context)
    except TypeError as err:
        if "context_value" not in str(err) and "variable_values" not in str(err):
            raise
        return schema.execute(text, variables=variables, context=context)


def _error_message(errors):
    parts = []
    for err in errors:
        parts.append(str(getattr(err, "message", None) or err))
    return "; ".join(parts)


def _error_type(errors):
    orig = getattr(errors[0], "original_error", None)
    if orig is not None and not isinstance(orig, type(errors[0])):
        return type(orig).__name__
    return "FieldError"


_error_classes = {}


def _error_class(name):
    """A FieldError subclass named after the resolver's exception, so the
    Lambda runtime (which reports the class name as errorType) and AppSync
    show e.g. PermissionError rather than FieldError."""
    if name == "FieldError" or not name.isidentifier():
        return FieldError
    cls = _error_classes.get(name)
    if cls is None:
        cls = _error_classes[name] = type(name, (FieldError,), {"__module__": __name__})
    return cls


def resolve(schema, event):
    """Return the field's data, or raise FieldError with GraphQL's message."""
    info = event.get("info") if isinstance(event.get("info"), dict) else {}
    text, values = build(schema, info, event.get("arguments"))
    result = execute(schema, text, values, request_for(event))
    errors = getattr(result, "errors", None)
    if errors:
        error_type = _error_type(errors)
        exc = _error_class(error_type)(_error_message(errors))
        exc.error_type = error_type
        raise exc
    data = result.data or {}
    return data.get(info["fieldName"])


def resolve_batch(schema, batch):
    """A list of events -> a list of the same length and order.

    A failing item is reported in place as ``{"data": null, "errorMessage",
    "errorType"}`` (AppSync's per-item error form for batched direct
    resolvers) so the others still return.
    """
    out = []
    for event in batch:
        try:
            out.append(resolve(schema, event))
        except FieldError as err:
            out.append({"data": None, "errorMessage": str(err), "errorType": getattr(err, "error_type", type(err).__name__)})
    return out
