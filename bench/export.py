#!/usr/bin/env python
"""The whole dataset out: every incident and every violation through the API, against COPY.

    python bench/export.py [--rows N] [--rounds 3] [--db NAME] [--no-follow] [--keep | --reuse]

Loads the data of bench/api.py (N incidents, sources for one in ten, violations for one in
five) into a scratch database (tracker_bench_export, dropped at the end unless --keep), serves
the project with gunicorn (2 sync workers, production settings) and, as a Viewer over HTTP on
loopback, times in interleaved rounds:

- the floor: `COPY (SELECT …) TO STDOUT (FORMAT csv)` of the same rows in the same order with
  the data the export carries, plain (the incident's columns, its party's and author's names and
  its public sources; the violation's columns with its incident's, clause's and agreement's),
  read by a client, in the same round;
- `GET /api/v1/incidents/export/?format=json|csv|geojson`, and the same for violations, read to
  the end;

and once (unless --no-follow) following `next` from `?page_size=1000` to the end, JSON and CSV,
as a client of the list does. Prints a markdown table: medians of the rounds, each export as a
multiple of the floor measured in the same round. Needs PostgreSQL at BENCH_PG (default
postgres://postgres@127.0.0.1:5432).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from statistics import median

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import PYTHON, admin_sql, create_token, load, log, manage, scratch_server, wait_until_up  # noqa: E402

FLOORS = {
    "incidents": """
        SELECT i.*, p.name, u.username,
               (SELECT string_agg(concat_ws(',', s.name, s.url, s.published_on, s.reliability, s.confidential,
                                            s.notes), ';' ORDER BY s.published_on, s.id)
                FROM incidents_source s WHERE s.incident_id = i.id AND NOT s.confidential)
        FROM incidents_incident i
        LEFT JOIN agreements_party p ON p.id = i.perpetrator_id
        LEFT JOIN auth_user u ON u.id = i.created_by_id
        ORDER BY i.occurred_at DESC, i.id DESC""",
    "violations": """
        SELECT v.*, i.occurred_at, i.category, i.place_name, i.admin1, i.latitude, i.longitude,
               i.location_precision, i.perpetrator_id, p.name,
               i.killed_civilians + i.killed_combatants + i.killed_unknown,
               i.injured_civilians + i.injured_combatants + i.injured_unknown,
               c.agreement_id, a.slug, c.number, u.username
        FROM tracker_violation v
        JOIN incidents_incident i ON i.id = v.incident_id
        LEFT JOIN agreements_party p ON p.id = i.perpetrator_id
        JOIN agreements_clause c ON c.id = v.clause_id
        JOIN agreements_agreement a ON a.id = c.agreement_id
        LEFT JOIN auth_user u ON u.id = v.reviewed_by_id
        ORDER BY v.flagged_at DESC, v.id DESC""",
}
# A text that occurs once per row of each format, to count the rows received.
MARKERS = {
    ("incidents", "json"): b'"occurred_until"',
    ("incidents", "geojson"): b'"occurred_until"',
    ("violations", "json"): b'"flagged_at"',
    ("violations", "geojson"): b'"flagged_at"',
}
FORMATS = ("json", "csv", "geojson")


def copy_floor(dsn, name):
    """Seconds and rows of COPY (SELECT …) TO STDOUT (FORMAT csv), read to the end."""
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cursor:
        conn.execute("SET jit TO off")
        started, rows, size = time.perf_counter(), 0, 0
        with cursor.copy(f"COPY ({FLOORS[name]}) TO STDOUT (FORMAT csv)") as copy:
            for row in copy:
                rows += 1
                size += len(row)
        return time.perf_counter() - started, rows, size


def download(url, token, name, fmt):
    """Seconds, rows and bytes of one export read to the end in 1 MB reads."""
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    started, size, count, tail = time.perf_counter(), 0, 0, b""
    marker = MARKERS.get((name, fmt), b"\r\n")
    with urllib.request.urlopen(request, timeout=600) as response:
        assert response.status == 200, response.status
        while chunk := response.read(1 << 20):
            size += len(chunk)
            window = tail + chunk
            count += window.count(marker) - tail.count(marker)
            tail = window[-len(marker) + 1 :]
    seconds = time.perf_counter() - started
    if fmt == "csv":
        count -= 2  # the header and HXL rows
    return seconds, count, size


def follow_next(base, token, name, fmt):
    """Seconds and rows of following `next` from ?page_size=1000 to the end."""
    url = f"{base}/api/v1/{name}/?page_size=1000" + ("&format=csv" if fmt == "csv" else "")
    started, rows = time.perf_counter(), 0
    while url:
        request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=600) as response:
            body = response.read()
            link = response.headers.get("Link", "")
        if fmt == "csv":
            rows += body.count(b"\r\n") - 2
            url = next((p.split(";")[0].strip("<> ") for p in link.split(",") if 'rel="next"' in p), None)
        else:
            page = json.loads(body)
            rows += len(page["results"])
            url = page["next"]
    return time.perf_counter() - started, rows


def start_gunicorn(port, env):
    # A sync worker is killed after --timeout seconds on one request: an export of a large
    # list takes longer than the default 30 s on a slow machine.
    return subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--workers", "2", "--timeout", "900"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def measure(args, dsn, base, token, results, followed):
    """The interleaved rounds, then following `next` once."""
    for round_no in range(args.rounds):
        for name in FLOORS:
            floor = copy_floor(dsn, name)
            results.setdefault((name, "floor"), []).append((*floor, floor[0]))
            for fmt in FORMATS:
                got = download(f"{base}/api/v1/{name}/export/?format={fmt}", token, name, fmt)
                assert got[1] == floor[1], f"{name} {fmt}: {got[1]} rows, the floor {floor[1]}"
                results.setdefault((name, fmt), []).append((*got, floor[0]))
            log(
                f"round {round_no + 1}: {name} floor {floor[0]:.2f} s, "
                + ", ".join(f"{fmt} {results[(name, fmt)][-1][0]:.2f} s" for fmt in FORMATS)
            )
    if not args.no_follow:
        for name in FLOORS:
            floor = copy_floor(dsn, name)
            for fmt in ("json", "csv"):
                seconds, rows = follow_next(base, token, name, fmt)
                assert rows == floor[1], (name, fmt, rows, floor[1])
                followed[(name, fmt)] = (seconds, rows, floor[0])
                log(f"following next, {name} {fmt}: {seconds:.1f} s (floor {floor[0]:.2f} s)")


def print_table(args, results, followed):
    print(
        f"\nExport benchmark: {args.rows:,} incidents, gunicorn 2 sync workers, a Viewer over HTTP on loopback; "
        f"median of {args.rounds} interleaved rounds, each export against the COPY floor of its round\n"
    )
    print("| path | rows | seconds | rows/s | MB | x the floor | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for (name, fmt), runs in results.items():
        seconds, rows, size = (median(r[k] for r in runs) for k in range(3))
        ratio = median(r[0] / r[3] for r in runs)
        if fmt == "floor":
            label, target = f"{name}: `COPY (SELECT …) TO STDOUT (FORMAT csv)` (floor)", ""
        else:
            label = f"{name}: `GET /api/v1/{name}/export/?format={fmt}`"
            target = "within 3x: met" if ratio <= 3 else "within 3x: NOT met"
        print(
            f"| {label} | {rows:,.0f} | {seconds:.2f} | {rows / seconds:,.0f} | {size / 1e6:,.0f} | {ratio:.2f} | {target} |"
        )
    for (name, fmt), (seconds, rows, floor) in followed.items():
        print(
            f"| {name}: following `next` from `?page_size=1000`, {fmt} (once) | {rows:,} | {seconds:.1f} "
            f"| {rows / seconds:,.0f} | | {seconds / floor:.1f} | |"
        )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8785)
    parser.add_argument("--db", default="tracker_bench_export")
    parser.add_argument("--no-follow", action="store_true", help="skip following `next` through the lists")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a --keep run left; implies --keep"
    )
    args = parser.parse_args()

    dsn, env = scratch_server(args)
    server = None
    results = {}  # label -> [(seconds, rows, bytes, floor seconds of the round)]
    followed = {}
    try:
        manage(env, "migrate", "--noinput", "-v0")
        if not args.reuse:
            load(dsn, args.rows)
        token = create_token(env)
        server = start_gunicorn(args.port, env)
        base = f"http://127.0.0.1:{args.port}"
        wait_until_up(base, token)
        measure(args, dsn, base, token, results, followed)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')

    print_table(args, results, followed)


if __name__ == "__main__":
    main()
