"""The documented backup restores: a populated PostgreSQL database, dumped with pg_dump (custom
format) and restored with pg_restore into an empty database, comes back row for row in every
table, confidential sources and change history included (docs/operations.md#backups).

Runs on PostgreSQL only (skipped on SQLite, a failure when CI=true)."""

import os
import shutil
import subprocess

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from incidents.models import Incident, Source
from tests.factories import SourceFactory
from tests.workers import require

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def server_args(db):
    return ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]


def connect(db, name):
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=name,
        autocommit=True,
    )


def every_row(conn):
    """Each table's rows as sorted text, and each sequence's position."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall()]
        rows = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table)))
            rows[table] = sorted(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        rows["<sequences>"] = sorted(cursor.fetchall())
    return rows


@pytest.fixture
def empty_database():
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    require(shutil.which("pg_dump") and shutil.which("pg_restore"), "needs pg_dump and pg_restore")
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    with connect(db, "postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with connect(db, "postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_dump_restores_every_row_of_every_table(empty_database, tmp_path):
    call_command("load_demo")
    witness = SourceFactory(incident=Incident.objects.first(), name="A witness in Khan Sheikhoun")
    witness.confidential = True
    witness.save()  # a second version in the source's history: made confidential
    db = connection.settings_dict
    env = dict(os.environ, PGPASSWORD=db["PASSWORD"] or "")
    dump = tmp_path / "tracker.dump"

    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", *server_args(db), db["NAME"]],
        env=env,
        check=True,
    )
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={empty_database}",
            *server_args(db),
            str(dump),
        ],
        env=env,
        check=True,
    )

    with connect(db, db["NAME"]) as original, connect(db, empty_database) as restored:
        before, after = every_row(original), every_row(restored)
    assert set(after) == set(before)
    assert [table for table in before if before[table] != after[table]] == []
    assert before["<sequences>"] == after["<sequences>"]
    # The test is only worth something if the interesting tables were not empty.
    assert Source.objects.filter(confidential=True).exists()
    for table in ("incidents_incident", "incidents_historicalsource", "agreements_clause", "auth_group"):
        assert before[table], table
