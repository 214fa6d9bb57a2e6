"""AppSync direct Lambda resolver events against the test project's schema."""
import unittest

from support import appsync, configure, invoke
from django_serverless import appsync as appsync_mod


class AppSync(unittest.TestCase):
    def setUp(self):
        configure(schema="testproj.schema.schema")

    def tearDown(self):
        configure()

    def test_scalar_query_field_with_arguments(self):
        self.assertEqual(invoke(appsync("hello", {"name": "ana", "times": 2})), "hello ana hello ana")

    def test_object_field_with_selection_set(self):
        got = invoke(appsync("item", {"id": "7"}, selection="{\n  id\n  name\n  tags\n}"))
        self.assertEqual(dict(got), {"id": "7", "name": "item 7", "tags": ["a", "b", "c"]})

    def test_selection_set_variables_inlined_from_info_variables(self):
        got = invoke(
            appsync("item", {"id": "1"}, selection='{ name tags(first: $n) }', variables={"n": 2, "unused": "x"})
        )
        self.assertEqual(got["tags"], ["a", "b"])

    def test_variable_lookalike_inside_string_literal_untouched(self):
        text = appsync_mod.inline_variables('{ a(s: "$n \\" $n") b(x: $n) }', {"n": 3})
        self.assertEqual(text, '{ a(s: "$n \\" $n") b(x: 3) }')

    def test_mutation_with_input_object_argument(self):
        got = invoke(appsync("createItem", {"input": {"name": "new one", "tags": ["t"]}}, parent="Mutation", selection="{ id name }"))
        self.assertEqual(dict(got), {"id": "new", "name": "new one"})

    def test_enum_argument_typed_from_schema(self):
        self.assertEqual(invoke(appsync("colorName", {"color": "BLUE"})), "blue")

    def test_request_carries_headers_and_identity(self):
        self.assertEqual(invoke(appsync("whoami")), "user1")
        self.assertEqual(invoke(appsync("userAgent", headers={"user-agent": "curl/8"})), "curl/8")

    def test_batch_returns_same_length_and_order(self):
        batch = [appsync("hello", {"name": n}) for n in ("a", "b", "c")]
        self.assertEqual(invoke(batch), ["hello a", "hello b", "hello c"])

    def test_batch_item_error_reported_in_place(self):
        batch = [appsync("hello", {"name": "a"}), appsync("fail"), appsync("hello", {"name": "c"})]
        got = invoke(batch)
        self.assertEqual(len(got), 3)
        self.assertEqual(got[0], "hello a")
        self.assertEqual(got[2], "hello c")
        self.assertIsNone(got[1]["data"])
        self.assertIn("not allowed", got[1]["errorMessage"])
        self.assertEqual(got[1]["errorType"], "PermissionError")

    def test_field_error_raised_for_appsync_error_type_and_message(self):
        with self.assertRaises(appsync_mod.FieldError) as ctx:
            invoke(appsync("fail"))
        self.assertIn("not allowed", str(ctx.exception))
        # Lambda reports the class name as errorType.
        self.assertEqual(type(ctx.exception).__name__, "PermissionError")
        self.assertEqual(ctx.exception.error_type, "PermissionError")

    def test_nested_parent_type_is_a_clear_error(self):
        with self.assertRaisesRegex(appsync_mod.UnsupportedResolver, "resolver on Item is not supported"):
            invoke(appsync("tags", parent="Item"))

    def test_unknown_field_and_argument_are_clear_errors(self):
        with self.assertRaisesRegex(appsync_mod.UnsupportedResolver, "Query has no field nope"):
            invoke(appsync("nope"))
        with self.assertRaisesRegex(appsync_mod.UnsupportedResolver, "Query.hello has no argument bogus"):
            invoke(appsync("hello", {"name": "x", "bogus": 1}))

    def test_schema_from_graphene_settings_when_env_empty(self):
        configure(schema="")
        self.assertEqual(invoke(appsync("hello", {"name": "z"})), "hello z")

    def test_built_operation_uses_schema_argument_types(self):
        schema = appsync_mod.load_schema("testproj.schema.schema")
        text, values = appsync_mod.build(schema, {"fieldName": "hello", "parentTypeName": "Query"}, {"times": 1, "name": "n"})
        self.assertEqual(text, "query AppSyncHello($ds_name: String!, $ds_times: Int) { hello(name: $ds_name, times: $ds_times)  }")
        self.assertEqual(values, {"ds_name": "n", "ds_times": 1})


if __name__ == "__main__":
    unittest.main()


class AppSyncAliases(unittest.TestCase):
    """AppSync reads nested fields by name and applies aliases itself."""

    def setUp(self):
        configure(schema="testproj.schema.schema")

    def tearDown(self):
        configure()

    def test_aliases_in_the_selection_set_are_answered_by_field_name(self):
        got = invoke(appsync("item", {"id": "7"}, selection="{\n  ident: id\n  label: name\n}"))
        self.assertEqual(dict(got), {"id": "7", "name": "item 7"})

    def test_strip_aliases_keeps_arguments_fragments_and_strings(self):
        text = appsync_mod.strip_aliases('{ a: tags(first: 2) ... on Item { b: name } c: x(s: "k: v") }')
        self.assertNotIn("a:", text)
        self.assertNotIn("b:", text)
        self.assertIn("tags(first: 2)", text)
        self.assertIn('x(s: "k: v")', text)
        self.assertIn("... on Item", text)
