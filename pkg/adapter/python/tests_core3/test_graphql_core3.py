"""The AppSync field execution on graphql-core 3 (what graphene 3 runs on).

Debian's python3-graphene is 2.1 (graphql-core 2), so these tests live apart
from the Django ones and run with an interpreter that has graphql-core 3 (no
Django needed): ``make pytest`` runs
``python3 -m unittest discover -s pkg/adapter/python/tests_core3`` with the
pyenv python of these machines, which ships graphql-core 3.2. Without
graphql-core 3 they skip, except under DJANGO_SERVERLESS_STRICT=1 (CI),
where that is an error. ``Graphene3Schema`` reproduces the
one part of graphene 3's ``Schema`` the runtime touches: the
``graphql_schema`` attribute and ``execute``, which renames the keyword
aliases (``context`` -> ``context_value``, ``variables`` ->
``variable_values``) and calls ``graphql_sync`` (graphene/types/schema.py,
``normalize_execute_kwargs``, graphene v3).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

try:
    import graphql

    CORE3 = int(graphql.__version__.split(".")[0]) >= 3
except ImportError:
    CORE3 = False

if not CORE3 and os.environ.get("DJANGO_SERVERLESS_STRICT") == "1":
    raise ImportError("graphql-core 3 is required for these tests (DJANGO_SERVERLESS_STRICT=1)")

SDL = """
enum Color { RED BLUE }
input ItemInput { name: String! tags: [String] }
type Item { id: ID! name: String tags(first: Int): [String] }
type Query { hello(name: String!, times: Int): String item(id: ID!): Item colorName(color: Color!): String whoami: String }
type Mutation { createItem(input: ItemInput!): Item }
"""


class Graphene3Schema:
    def __init__(self, core_schema):
        self.graphql_schema = core_schema

    def execute(self, *args, **kwargs):
        for alias, name in (("root", "root_value"), ("context", "context_value"), ("variables", "variable_values"), ("operation", "operation_name")):
            if alias in kwargs and name not in kwargs:
                kwargs[name] = kwargs.pop(alias)
        return graphql.graphql_sync(self.graphql_schema, *args, **kwargs)


def make_schema():
    core = graphql.build_schema(SDL)
    q = core.query_type.fields
    q["hello"].resolve = lambda root, info, name, times=1: " ".join(["hello " + name] * times)
    q["item"].resolve = lambda root, info, id: {"id": id, "name": "item " + id}
    q["colorName"].resolve = lambda root, info, color: color.lower()
    q["whoami"].resolve = lambda root, info: info.context["user"]
    core.get_type("Item").fields["tags"].resolve = lambda root, info, first=None: ["a", "b", "c"][:first]
    core.mutation_type.fields["createItem"].resolve = lambda root, info, input: {"id": "new", "name": input["name"]}
    return Graphene3Schema(core)


@unittest.skipUnless(CORE3, "graphql-core 3 not importable (Debian ships graphene 2)")
class GraphQLCore3(unittest.TestCase):
    def run_field(self, field, arguments, parent="Query", selection="", variables=None, context=None):
        from django_serverless import appsync

        schema = make_schema()
        info = {"fieldName": field, "parentTypeName": parent, "selectionSetGraphQL": selection, "variables": variables or {}}
        text, values = appsync.build(schema, info, arguments)
        result = appsync.execute(schema, text, values, context or {"user": "u1"})
        self.assertFalse(result.errors, result.errors)
        return result.data[field]

    def test_scalar_field_arguments_typed_from_schema(self):
        self.assertEqual(self.run_field("hello", {"name": "ana", "times": 2}), "hello ana hello ana")

    def test_object_selection_and_inlined_variables(self):
        got = self.run_field("item", {"id": "7"}, selection="{ id name tags(first: $n) }", variables={"n": 1})
        self.assertEqual(got, {"id": "7", "name": "item 7", "tags": ["a"]})

    def test_enum_and_input_object_arguments(self):
        self.assertEqual(self.run_field("colorName", {"color": "BLUE"}), "blue")
        got = self.run_field("createItem", {"input": {"name": "n"}}, parent="Mutation", selection="{ id name }")
        self.assertEqual(got, {"id": "new", "name": "n"})

    def test_context_reaches_resolvers(self):
        self.assertEqual(self.run_field("whoami", {}, context={"user": "carol"}), "carol")

    def test_nested_parent_rejected(self):
        from django_serverless import appsync

        with self.assertRaises(appsync.UnsupportedResolver):
            appsync.build(make_schema(), {"fieldName": "tags", "parentTypeName": "Item"}, {})


if __name__ == "__main__":
    unittest.main()
