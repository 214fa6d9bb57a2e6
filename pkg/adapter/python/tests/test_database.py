"""Where the database is: secrets, DATABASE_URL, the preview's name."""
import json
import unittest

import support  # noqa: F401  (paths)
from django_serverless import database as dbmod

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-db-AbCdEf"


def fetcher(value):
    calls = []

    def fetch(arn, environ):
        calls.append(arn)
        return value

    fetch.calls = calls
    return fetch


class URLs(unittest.TestCase):
    def test_parse(self):
        p = dbmod.parse_url("postgres://shop%40corp:p%40ss%3Aw%2Frd@db.internal:6432/shop?sslmode=require")
        self.assertEqual(p["engine"], "postgresql")
        self.assertEqual((p["user"], p["password"], p["host"], p["port"], p["name"]), ("shop@corp", "p@ss:w/rd", "db.internal", "6432", "shop"))
        self.assertEqual(p["query"], "sslmode=require")
        self.assertEqual(dbmod.parse_url("mysql://u@h/n")["engine"], "mysql")

    def test_round_trip(self):
        for url in [
            "postgres://shop%40corp:p%40ss%3Aw%2Frd@db.internal:6432/shop?sslmode=require",
            "postgres://u@h/n",
            "postgres://h/n",
            "postgres://u:pw@[::1]:5432/n",
        ]:
            self.assertEqual(dbmod.parse_url(dbmod.build_url(dbmod.parse_url(url))), dbmod.parse_url(url), url)

    def test_bad_urls_do_not_show_the_value(self):
        for url in ["sqlite:///tmp/x", "postgres://u:hunter2@h:notaport/n", "oracle://u:hunter2@h/n"]:
            with self.assertRaises(dbmod.DatabaseConfigError) as cm:
                dbmod.parse_url(url)
            self.assertNotIn("hunter2", str(cm.exception))


class Secrets(unittest.TestCase):
    def test_forms(self):
        want = ("postgresql", "db", "5432", "app", "s3cret", "shop")
        for value in [
            "postgres://app:s3cret@db:5432/shop",
            json.dumps({"url": "postgres://app:s3cret@db:5432/shop"}),
            json.dumps({"engine": "postgres", "host": "db", "port": 5432, "username": "app", "password": "s3cret", "dbname": "shop"}),
        ]:
            p = dbmod.parse_secret(value, "secret")
            self.assertEqual((p["engine"], p["host"], p["port"], p["user"], p["password"], p["name"]), want, value)

    def test_bad_secrets_do_not_show_the_value(self):
        for value in ["{not json hunter2", json.dumps({"host": "db", "password": "hunter2"}), json.dumps(["hunter2"]), json.dumps({"engine": "oracle", "host": "h", "username": "u", "password": "hunter2"})]:
            with self.assertRaises(dbmod.DatabaseConfigError) as cm:
                dbmod.parse_secret(value, "database secret X")
            self.assertNotIn("hunter2", str(cm.exception))
            self.assertIn("database secret X", str(cm.exception))


class Prepare(unittest.TestCase):
    def test_nothing_configured_sets_nothing(self):
        env = {"PATH": "/bin"}
        self.assertIsNone(dbmod.prepare(env, fetch=fetcher("x")))
        self.assertEqual(env, {"PATH": "/bin"})

    def test_secret_for_a_stable_environment(self):
        env = {dbmod.SECRET_VAR: SECRET}
        fetch = fetcher("postgres://app:s3cret@db:5432/shop")
        dbmod.prepare(env, fetch=fetch)
        self.assertEqual(fetch.calls, [SECRET])
        self.assertEqual(env["DATABASE_URL"], "postgres://app:s3cret@db:5432/shop")
        self.assertEqual(env["DJANGO_SERVERLESS_DATABASE_NAME"], "shop")
        self.assertEqual(env["DJANGO_SERVERLESS_DATABASE_HOST"], "db")
        self.assertEqual(env["DJANGO_SERVERLESS_DATABASE_PASSWORD"], "s3cret")
        self.assertEqual(env["DJANGO_SERVERLESS_DATABASE_ENGINE"], "postgresql")

    def test_preview_gets_its_own_database_name(self):
        env = {dbmod.SECRET_VAR: SECRET, dbmod.NAME_VAR: "shop_pr_7"}
        dbmod.prepare(env, fetch=fetcher(json.dumps({"engine": "postgres", "host": "db", "username": "app", "password": "pw", "dbname": "shop"})))
        self.assertEqual(env["DATABASE_URL"], "postgres://app:pw@db/shop_pr_7")
        self.assertEqual(env[dbmod.NAME_VAR], "shop_pr_7")
        self.assertEqual(env[dbmod.SERVER_NAME_VAR], "shop")

    def test_database_url_alone(self):
        env = {"DATABASE_URL": "postgres://u:p@h/base", dbmod.NAME_VAR: "base_pr_2"}
        dbmod.prepare(env, fetch=fetcher("unused"))
        self.assertEqual(env["DATABASE_URL"], "postgres://u:p@h/base_pr_2")


class PreviewName(unittest.TestCase):
    NAME = "shop_20b4e476c37a_pr_7"  # Go's config.PreviewDatabaseName("octo/shop", "shop", 7)

    def test_only_previews(self):
        ok = {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7", dbmod.NAME_VAR: self.NAME, dbmod.SERVER_NAME_VAR: "shop"}
        self.assertEqual(dbmod.preview_name(ok), self.NAME)
        long_ok = "a" * 37 + "_abfb65efad16_pr_123456789"
        self.assertEqual(dbmod.preview_name({"DJANGO_SERVERLESS_ENVIRONMENT": "pr-123456789", dbmod.NAME_VAR: long_ok}), long_ok)
        for env in [
            {"DJANGO_SERVERLESS_ENVIRONMENT": "prod", dbmod.NAME_VAR: self.NAME},
            {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7"},
            {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7", dbmod.NAME_VAR: "shop_20b4e476c37a_pr_8"},
            {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7", dbmod.NAME_VAR: "shop"},
            # The names before the identity hash: never created, never dropped.
            {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7", dbmod.NAME_VAR: "shop_pr_7"},
            {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-10", dbmod.NAME_VAR: "a" * 45 + "_20b4e476c37a_pr_10"},  # 64 bytes
            {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7", dbmod.NAME_VAR: 'x"; DROP DATABASE y; --_20b4e476c37a_pr_7'},
            {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7", dbmod.NAME_VAR: self.NAME, dbmod.SERVER_NAME_VAR: self.NAME},
        ]:
            with self.assertRaises(dbmod.Refused, msg=env):
                dbmod.preview_name(env)


class OwnerMarker(unittest.TestCase):
    def test_marker_of_this_preview(self):
        env = {"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7", dbmod.OWNER_VAR: "django-serverless:octo/shop:shop:pr-7"}
        self.assertEqual(dbmod.owner_marker(env), "django-serverless:octo/shop:shop:pr-7")
        env[dbmod.OWNER_VAR] = "django-serverless::shop:pr-7"  # no repository known
        self.assertEqual(dbmod.owner_marker(env), "django-serverless::shop:pr-7")

    def test_refused(self):
        for marker in [
            "",
            "django-serverless:octo/shop:shop:pr-8",  # another PR's
            "octo/shop:shop:pr-7",
            "django-serverless:o'ct/shop:shop:pr-7",  # it is written as a SQL literal
            "django-serverless:octo\\/shop:shop:pr-7",
            "django-serverless:octo/shop\n:shop:pr-7",
        ]:
            with self.assertRaises(dbmod.Refused, msg=marker):
                dbmod.owner_marker({"DJANGO_SERVERLESS_ENVIRONMENT": "pr-7", dbmod.OWNER_VAR: marker})


if __name__ == "__main__":
    unittest.main()
