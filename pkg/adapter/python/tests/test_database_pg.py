"""The preview database on a real PostgreSQL: create (also from a template),
migrate, fixtures, drop; and what is refused.

Needs DJANGO_SERVERLESS_TEST_POSTGRES (a superuser URL; .ci/run starts the
server) and psycopg2; skipped without them, failed under
DJANGO_SERVERLESS_STRICT=1.
"""
import json
import os
import unittest
from urllib.parse import urlsplit, urlunsplit

from support import handler, invoke

PG = os.environ.get("DJANGO_SERVERLESS_TEST_POSTGRES", "")
STRICT = os.environ.get("DJANGO_SERVERLESS_STRICT") == "1"

try:
    import psycopg2
except ImportError:  # pragma: no cover
    psycopg2 = None

MISSING = None
if not PG:
    MISSING = "DJANGO_SERVERLESS_TEST_POSTGRES is not set"
elif psycopg2 is None:
    MISSING = "psycopg2 is not installed (apt-get install python3-psycopg2)"


def with_db(url, name):
    u = urlsplit(url)
    return urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def query(sql, params=None, db="postgres"):
    conn = psycopg2.connect(with_db(PG, db))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def exists(name):
    return bool(query("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


@unittest.skipIf(MISSING and not STRICT, MISSING or "")
class PreviewDatabase(unittest.TestCase):
    NAME = "testproj_pr_4242"
    TEMPLATE = "testproj_template_4242"

    @classmethod
    def setUpClass(cls):
        if MISSING:
            raise AssertionError("required test component missing (DJANGO_SERVERLESS_STRICT=1): " + MISSING)
        handler()  # the cold start (database.prepare) happens before the variables below

    def setUp(self):
        self.saved = dict(os.environ)
        for name in (self.NAME, self.TEMPLATE):
            query('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "testproj.settings_pg",  # read by the child process only
                "DATABASE_URL": with_db(PG, self.NAME),
                "DJANGO_SERVERLESS_DATABASE_NAME": self.NAME,
                "DJANGO_SERVERLESS_DATABASE_SERVER_NAME": "postgres",
                "DJANGO_SERVERLESS_ENVIRONMENT": "pr-4242",
                "DJANGO_SERVERLESS_MANAGE_ALLOW": "migrate,showmigrations",
                "DJANGO_SERVERLESS_DATABASE_FIXTURES": "groups",
            }
        )

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.saved)
        for name in (self.NAME, self.TEMPLATE):
            query('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)

    def event(self, action):
        out = invoke({"django_serverless": "database", "action": action})
        self.assertEqual(out["exit_status"], 0, out["output"])
        return out

    def result(self, out):
        return json.loads(out["output"].strip().splitlines()[-1])

    def test_create_migrate_fixtures_drop(self):
        self.assertEqual(self.result(self.event("create")), {"created": True, "database": self.NAME, "template": None})
        self.assertTrue(exists(self.NAME))
        # A second deploy finds it.
        self.assertEqual(self.result(self.event("create"))["created"], False)
        out = invoke({"django_serverless": "manage", "command": "migrate", "args": ["--noinput"]})
        self.assertEqual(out["exit_status"], 0, out["output"])
        self.assertIn("Applying auth.0001_initial... OK", out["output"])
        out = self.event("fixtures")
        self.assertIn("Installed 1 object(s) from 1 fixture(s)", out["output"])
        self.assertEqual(query("SELECT name FROM auth_group", db=self.NAME), [("reviewers",)])
        # A session left open (another function) does not stop the drop.
        held = psycopg2.connect(with_db(PG, self.NAME))
        try:
            self.assertEqual(self.result(self.event("drop")), {"dropped": True, "database": self.NAME})
        finally:
            try:
                held.close()
            except Exception:
                pass
        self.assertFalse(exists(self.NAME))
        self.assertEqual(self.result(self.event("drop"))["dropped"], False)

    def test_create_from_template(self):
        query('CREATE DATABASE "%s"' % self.TEMPLATE)
        query("CREATE TABLE seeded (id int)", db=self.TEMPLATE)
        query("INSERT INTO seeded VALUES (42)", db=self.TEMPLATE)
        os.environ["DJANGO_SERVERLESS_DATABASE_TEMPLATE"] = self.TEMPLATE
        self.assertEqual(self.result(self.event("create"))["template"], self.TEMPLATE)
        self.assertEqual(query("SELECT id FROM seeded", db=self.NAME), [(42,)])

    def test_refused_outside_its_preview(self):
        os.environ["DJANGO_SERVERLESS_ENVIRONMENT"] = "prod"
        out = invoke({"django_serverless": "database", "action": "drop"})
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("previews only", out["output"])
        os.environ["DJANGO_SERVERLESS_ENVIRONMENT"] = "pr-4242"
        os.environ["DATABASE_URL"] = with_db(PG, "postgres")  # settings point elsewhere
        out = invoke({"django_serverless": "database", "action": "drop"})
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("not this preview's database", out["output"])
        out = invoke({"django_serverless": "manage", "command": "migrate", "args": ["--noinput"]})
        self.assertEqual(out["exit_status"], 2)
        self.assertIn("uses database 'testproj_pr_4242'", out["output"])
        self.assertTrue(exists("postgres"))


if __name__ == "__main__":
    unittest.main()
