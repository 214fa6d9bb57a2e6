"""Issue 4 item 3: persist_db with a real SQLite connection through Django."""
import time
import unittest

from support import appsync, configure, http, invoke


def current():
    from django.db import connection

    return connection.connection


class PersistDB(unittest.TestCase):
    def setUp(self):
        from django.db import connections

        connections.close_all()

    def tearDown(self):
        from django.db import connection, connections

        connections.close_all()
        connection.settings_dict["CONN_MAX_AGE"] = 0
        configure()

    def test_persist_db_on_second_invocation_reuses_connection(self):
        configure(persist_db=True)
        self.assertEqual(invoke(http("/db/"))["statusCode"], 200)
        first = current()
        self.assertIsNotNone(first, "connection closed although persist_db is on")
        self.assertEqual(invoke(http("/db/"))["statusCode"], 200)
        self.assertIs(current(), first)

    def test_persist_db_off_second_invocation_opens_new_connection(self):
        configure(persist_db=False)
        opened = []
        from django.db.backends.signals import connection_created

        def record(sender, connection, **kwargs):
            opened.append(connection.connection)

        connection_created.connect(record)
        try:
            self.assertEqual(invoke(http("/db/"))["statusCode"], 200)
            self.assertIsNone(current(), "connection left open with persist_db off")
            self.assertEqual(invoke(http("/db/"))["statusCode"], 200)
            self.assertIsNone(current())
        finally:
            connection_created.disconnect(record)
        self.assertEqual(len(opened), 2)
        self.assertIsNot(opened[0], opened[1])

    def test_persist_db_uses_conn_max_age_and_drops_obsolete_connection(self):
        configure(persist_db=True)
        from django.db import connection

        self.assertEqual(connection.settings_dict["CONN_MAX_AGE"], 300)
        invoke(http("/db/"))
        first = current()
        connection.close_at = time.monotonic() - 1  # outlived CONN_MAX_AGE
        invoke(http("/db/"))
        self.assertIsNotNone(current())
        self.assertIsNot(current(), first)

    def test_persist_db_health_check_replaces_unusable_connection(self):
        configure(persist_db=True)
        from django.db import connection

        invoke(http("/db/"))
        first = current()
        connection.is_usable = lambda: False  # the server went away
        try:
            invoke({"django_serverless": "warmup"})
        finally:
            del connection.is_usable
        self.assertIsNotNone(current())
        self.assertIsNot(current(), first)

    def test_warmup_with_persist_db_opens_connection(self):
        configure(persist_db=True)
        self.assertIsNone(current())
        invoke({"django_serverless": "warmup"})
        self.assertIsNotNone(current())

    def test_persist_db_off_closes_after_appsync_and_warmup(self):
        configure(persist_db=False)
        from django.db import connection

        for event in ({"django_serverless": "warmup"}, appsync("hello", {"name": "x"})):
            connection.ensure_connection()
            self.assertIsNotNone(current())
            invoke(event)
            self.assertIsNone(current(), event)

    def test_persist_db_off_closes_connection_opened_before_runtime_configured(self):
        # A connection opened before the runtime listened for
        # connection_created (settings or AppConfig.ready at cold start)
        # must still be closed after the first event.
        from django.db import connection
        from django_serverless import db

        connection.ensure_connection()
        del db._opened[:]  # as if opened before the listener existed
        configure(persist_db=False)
        self.assertEqual(invoke(http("/json/"))["statusCode"], 200)
        self.assertIsNone(current())

    def test_persist_db_obsolete_connection_dropped_around_warmup(self):
        # close_old_connections semantics for a non-HTTP event, on a
        # connection the runtime tracks: an expired one is replaced.
        configure(persist_db=True)
        from django.db import connection

        invoke(http("/db/"))
        first = current()
        connection.close_at = time.monotonic() - 1
        invoke({"django_serverless": "warmup"})
        self.assertIsNotNone(current())
        self.assertIsNot(current(), first)

    def test_connection_of_another_thread_left_alone(self):
        # Django's connections are thread-local; the hooks only touch the
        # calling thread's, like close_old_connections.
        import threading

        from django.db import connections

        configure(persist_db=False)
        other = []

        def open_in_thread():
            conn = connections["default"]
            conn.ensure_connection()
            other.append(conn)

        t = threading.Thread(target=open_in_thread)
        t.start()
        t.join()
        try:
            self.assertEqual(invoke(http("/json/"))["statusCode"], 200)  # must not raise DatabaseError
            self.assertIsNotNone(other[0].connection)
        finally:
            other[0].inc_thread_sharing()
            other[0].close()
            other[0].dec_thread_sharing()


if __name__ == "__main__":
    unittest.main()
