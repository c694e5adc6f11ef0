"""The seam between the engine and the database: one store per vendor, picked in one place."""

import types

import pytest
from django.db import connection

from tracker.store import PostgresStore, SQLiteStore, store_for


def test_the_store_matches_the_connection():
    expected = PostgresStore if connection.vendor == "postgresql" else SQLiteStore
    assert isinstance(store_for(connection), expected)


def test_an_unsupported_database_is_refused_by_name():
    with pytest.raises(NotImplementedError, match="not mysql"):
        store_for(types.SimpleNamespace(vendor="mysql"))
