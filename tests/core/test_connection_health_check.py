"""A kept PostgreSQL connection is checked by asking its socket, and by Django's `SELECT 1` only
when the server has written to it (core.db.postgresql)."""

import select

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's check"),
]


@pytest.fixture
def kept():
    """A second connection to the test database, idle like one kept between requests."""
    other = connection.copy()
    other.ensure_connection()
    yield other
    other.close()


def wait_for_input(kept):
    readable, _, _ = select.select([kept.connection.pgconn.socket], [], [], 10)
    assert readable, "the server wrote nothing"


def test_the_project_uses_the_backend_with_the_socket_check():
    assert type(connections["default"]).__module__ == "core.db.postgresql.base"


def test_an_idle_connection_is_usable_without_a_query(kept, monkeypatch):
    def no_query(*args, **kwargs):
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(kept.connection, "cursor", no_query)
    monkeypatch.setattr(kept.connection, "execute", no_query)
    assert kept.is_usable()


def test_a_connection_the_server_ended_is_not_usable(kept):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [kept.connection.info.backend_pid])
    wait_for_input(kept)
    assert not kept.is_usable()
    ended = kept.connection
    kept.close_if_unusable_or_obsolete()  # a new request begins (Django's request_started)
    with kept.cursor() as cursor:  # its first query: checked, dropped, a new connection opened
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert kept.connection is not ended


def test_a_message_waiting_on_a_live_connection_is_left_to_the_query(kept):
    """Something to read is not always the end: a notification waits here, and Django's `SELECT 1`
    finds the connection alive."""
    with kept.cursor() as cursor:
        cursor.execute("LISTEN health_check_test")
    sender = connection.copy()  # outside the test's transaction, which would hold the message
    try:
        with sender.cursor() as cursor:
            cursor.execute("NOTIFY health_check_test")
    finally:
        sender.close()
    wait_for_input(kept)
    assert kept.is_usable()
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_whose_socket_is_gone_is_left_to_djangos_check(kept, monkeypatch):
    """psycopg says "the connection is lost" (OperationalError) when libpq has no socket left:
    the check must not raise (a 500 instead of a new connection), but let Django's decide."""
    import psycopg

    real = kept.connection.pgconn

    class NoSocket:
        def __getattr__(self, name):
            return getattr(real, name)

        @property
        def socket(self):
            raise psycopg.OperationalError("the connection is lost")

    monkeypatch.setattr(kept.connection, "pgconn", NoSocket())
    asked = []
    monkeypatch.setattr(
        "django.db.backends.postgresql.base.DatabaseWrapper.is_usable", lambda self: asked.append(1) or False
    )
    assert not kept.is_usable()
    assert asked
