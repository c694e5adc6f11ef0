"""Shared helpers for the benchmarks: a scratch PostgreSQL database and a markdown table."""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def use_scratch_database(name):
    """Point Django at a fresh PostgreSQL database `name` (dropped first), migrated; return its URL."""
    import psycopg

    server = os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def drop_database(name):
    import psycopg
    from django.db import connections

    connections.close_all()
    server = os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def timed(results, label, **extra):
    start = time.perf_counter()
    yield
    results.append({"measure": label, "seconds": time.perf_counter() - start, **extra})


def print_table(title, rows, columns):
    print(f"\n### {title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
