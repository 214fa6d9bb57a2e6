"""The preview database on a real PostgreSQL: create (also from a template),
migrate, fixtures, drop; and what is refused: a database of the preview's
name that does not carry its owner marker is never migrated into or dropped.

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


def comment(name):
    rows = query("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    return rows[0][0] if rows else None


@unittest.skipIf(MISSING and not STRICT, MISSING or "")
class PreviewDatabase(unittest.TestCase):
    # Go's config.PreviewDatabaseName("octo/testproj", "testproj", 4242)
    NAME = "testproj_259d82354a9a_pr_4242"
    OWNER = "django-serverless:octo/testproj:testproj:pr-4242"
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
                "DJANGO_SERVERLESS_DATABASE_OWNER": self.OWNER,
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
        self.assertEqual(comment(self.NAME), self.OWNER)
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
        self.assertIn("uses database '%s'" % self.NAME, out["output"])
        self.assertTrue(exists("postgres"))

    def refused(self, action, want):
        out = invoke({"django_serverless": "database", "action": action})
        self.assertEqual(out["exit_status"], 2, out["output"])
        self.assertIn(want, out["output"])
        self.assertIn("nothing was changed", out["output"])
        return out

    def foreign(self, marker):
        """A database of the preview's name that another owner made, with data."""
        query('CREATE DATABASE "%s"' % self.NAME)
        if marker is not None:
            query("COMMENT ON DATABASE \"%s\" IS '%s'" % (self.NAME, marker))
        query("CREATE TABLE theirs (id int)", db=self.NAME)
        query("INSERT INTO theirs VALUES (7)", db=self.NAME)

    def assert_untouched(self, marker):
        self.assertTrue(exists(self.NAME))
        self.assertEqual(comment(self.NAME), marker)
        self.assertEqual(query("SELECT id FROM theirs", db=self.NAME), [(7,)])
        self.assertFalse(query("SELECT 1 FROM pg_tables WHERE tablename = 'django_migrations'", db=self.NAME))

    def test_foreign_database_without_marker(self):
        self.foreign(None)
        self.refused("create", "has no django-serverless owner marker")
        out = invoke({"django_serverless": "manage", "command": "migrate", "args": ["--noinput"]})
        self.assertEqual(out["exit_status"], 2, out["output"])
        self.assertIn("refusing to run commands in it", out["output"])
        self.refused("fixtures", "has no django-serverless owner marker")
        self.refused("drop", "refusing to drop it")
        self.assert_untouched(None)

    def test_another_projects_database(self):
        # Another project (another repository) whose database got this name.
        theirs = "django-serverless:someone/testproj:testproj:pr-4242"
        self.foreign(theirs)
        out = self.refused("create", "belongs to %r" % theirs)
        self.assertIn("COMMENT ON DATABASE \"%s\" IS '%s'" % (self.NAME, self.OWNER), out["output"])
        out = invoke({"django_serverless": "manage", "command": "migrate", "args": ["--noinput"]})
        self.assertEqual(out["exit_status"], 2, out["output"])
        self.refused("drop", "belongs to %r" % theirs)
        self.assert_untouched(theirs)

    def test_owner_marker_required(self):
        del os.environ["DJANGO_SERVERLESS_DATABASE_OWNER"]
        out = invoke({"django_serverless": "database", "action": "create"})
        self.assertEqual(out["exit_status"], 2, out["output"])
        self.assertIn("not the owner marker", out["output"])
        self.assertFalse(exists(self.NAME))


if __name__ == "__main__":
    unittest.main()
