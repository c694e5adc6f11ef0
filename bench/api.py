#!/usr/bin/env python
"""API benchmark: 1,000,000 incidents in PostgreSQL, gunicorn with 2 workers, wrk on loopback.

    python bench/api.py [--rows N] [--duration SECONDS] [--keep | --reuse]

Creates a scratch database (tracker_bench_api, dropped at the end unless --keep), loads parties,
incidents (with sources for one in ten) and violations with INSERT ... SELECT generate_series,
serves the project with gunicorn (config.settings.production, a generated secret key), and
measures with wrk for a bounded time each: a bare Django view returning "ok" (the framework's
ceiling here), the first page of incidents, the same with a category + date range + bbox
filter, and the first page of violations. Each list is measured twice: on a server with the
default settings, where a page is kept while the database is unchanged (the same request
again costs a snapshot query), and on one with TRACKER_API_PAGE_CACHE_SECONDS=0, where every
request builds its page (as while data is being written). Prints a markdown table, then the CPU
each request cost in all (the server's workers, their PostgreSQL backends and wrk, from /proc):
on a shared machine that figure moves much less than requests per second. Needs PostgreSQL at
BENCH_PG (default postgres://postgres@127.0.0.1:5432) and wrk (`apt-get install wrk`).
"""

import argparse
import json
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from statistics import median

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CATEGORIES = [
    "air_strike",
    "shelling",
    "armed_clash",
    "territory_change",
    "explosive_device",
    "chemical_weapon",
    "attack_on_civilians",
    "heavy_weapons_presence",
    "armed_group_presence",
    "patrol",
    "patrol_obstructed",
    "route_closed",
    "route_opened",
    "other",
]
FILTERED = (
    "/api/v1/incidents/?category=shelling&occurred_after=2019-01-01&occurred_before=2019-07-01"
    "&bbox=36.3,35.6,37.0,36.1"
)
LISTS = [
    ("GET /api/v1/incidents/ (first page)", "/api/v1/incidents/"),
    ("incidents, category + date range + bbox", FILTERED),
    ("GET /api/v1/violations/ (first page)", "/api/v1/violations/"),
]
# (label, server, path): server "cached" runs with the default settings, whose list pages are
# kept while the database is unchanged (TRACKER_API_PAGE_CACHE_SECONDS); "uncached" with that
# cache off, so every request builds its page: what a client sees while data is being written.
TARGETS = [
    ("ceiling: plain Django view", "cached", "/bench/ok"),
    *[(f"{label}, database unchanged (page kept)", "cached", path) for label, path in LISTS],
    *[(f"{label}, page built every time", "uncached", path) for label, path in LISTS],
]


def log(message):
    print(f"[bench/api] {message}", file=sys.stderr, flush=True)


def admin_sql(sql):
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def scratch_server(args):
    """The database URL and the server's environment for `args.db`; a new empty database unless
    `--reuse` (which implies `--keep`)."""
    dsn = f"{PG}/{args.db}"
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "TRACKER_API_THROTTLE_USER": "100000000/second",
    }
    args.keep = args.keep or args.reuse
    if not args.reuse:
        admin_sql(f'DROP DATABASE IF EXISTS "{args.db}"')
        admin_sql(f'CREATE DATABASE "{args.db}"')
    return dsn, env


def manage(env, *args, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else None


def load(dsn, rows):
    """Parties, agreements, clauses, incidents (1 in 10 with a source), violations (1 in 5)."""
    categories = "ARRAY[" + ",".join(f"'{c}'" for c in CATEGORIES) + "]"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("""
            INSERT INTO agreements_party (name, short_name, name_ar, short_name_ar, kind, description)
            SELECT 'Party ' || i, 'P' || i, '', '', 'armed_group', '' FROM generate_series(1, 20) i""")
        conn.execute("""
            INSERT INTO agreements_agreement (title, title_ar, slug, signed_on, in_force_from, status, summary,
                                              text, timezone, created_at, updated_at)
            VALUES ('Sochi memorandum', '', 'sochi-2018', '2018-09-17', '2018-09-17', 'in_force', '', '',
                    'Asia/Damascus', now(), now())""")
        conn.execute("""
            INSERT INTO agreements_clause (agreement_id, number, title, title_ar, text, kind,
                                           prohibited_categories, created_at, updated_at)
            SELECT (SELECT id FROM agreements_agreement), i::text, 'Clause ' || i, '', '', 'ceasefire',
                   '["shelling", "air_strike"]'::jsonb, now(), now()
            FROM generate_series(1, 10) i""")
        started = time.monotonic()
        conn.execute(f"""
            INSERT INTO incidents_incident (
                occurred_at, date_precision, occurred_until, place_name, admin1, admin2, latitude, longitude,
                location_precision, category, perpetrator_id, actor_name, actor_case, target_type, weapons,
                killed_civilians,
                killed_combatants, killed_unknown, injured_civilians, injured_combatants, injured_unknown,
                description, status, source_dataset, external_id, created_at, updated_at)
            SELECT timestamptz '2017-01-01' + (i::float / {rows} * 4 * 365) * interval '1 day'
                       + (i % 86400) * interval '1 second',
                   'day', NULL, 'Place ' || (i % 500), 'Idlib', 'District ' || (i % 9),
                   34.5 + (hashint4(i) & 65535)::float / 65535 * 2.5,
                   35.5 + (hashint4(i + 7) & 65535)::float / 65535 * 2.5,
                   'exact', ({categories})[1 + i % 14],
                   CASE WHEN i % 21 = 0 THEN NULL ELSE (SELECT min(id) FROM agreements_party) + i % 20 END,
                   '', CASE WHEN i % 21 = 0 THEN 'unidentified' ELSE 'registered' END, '', '[]'::jsonb, i % 3, i % 2, 0, i % 5, 0, 0,
                   'Synthetic incident ' || i, CASE WHEN i % 4 = 0 THEN 'draft' ELSE 'verified' END,
                   'bench', 'B' || i, now(), now()
            FROM generate_series(1, {rows}) i""")
        log(f"{rows:,} incidents inserted in {time.monotonic() - started:.1f} s")
        conn.execute("""
            INSERT INTO incidents_source (incident_id, name, url, published_on, reliability, confidential, notes)
            SELECT id, 'Outlet ' || (id % 50), 'https://example.org/' || id, NULL, 'C', id % 30 = 0, ''
            FROM incidents_incident WHERE id % 10 = 0""")
        conn.execute("""
            INSERT INTO tracker_violation (incident_id, clause_id, confidence, reasons, status, flagged_at,
                                           updated_at, review_note)
            SELECT i.id, (SELECT min(id) FROM agreements_clause) + i.id % 10,
                   (ARRAY['high', 'medium', 'low'])[1 + i.id % 3], '[]'::jsonb,
                   (ARRAY['flagged', 'confirmed', 'dismissed'])[1 + i.id % 3],
                   i.occurred_at + interval '1 hour', now(), ''
            FROM incidents_incident i WHERE i.id % 5 = 0""")
        conn.execute("VACUUM ANALYZE")
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("incidents_incident", "incidents_source", "tracker_violation")
        }
        log(f"loaded {counts} in {time.monotonic() - started:.1f} s")


def create_token(env):
    script = (
        "from django.contrib.auth.models import Group, User;"
        "from rest_framework.authtoken.models import Token;"
        "u, _ = User.objects.get_or_create(username='bench');"
        "u.groups.set([Group.objects.get(name='Viewer')]);"
        "print(Token.objects.get_or_create(user=u)[0].key)"
    )
    return manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1]


def wait_until_up(base, token, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/bench/ok", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def check(base, path, token):
    """The URL answers 200 with real content before it is measured."""
    request = urllib.request.Request(base + path, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        assert response.status == 200, (path, response.status)
    if path.startswith("/api/"):
        results = json.loads(body)["results"]
        assert results, f"{path} returned no results"
        return len(results)
    return body.decode()


def cpu_seconds(pids):
    """User and system CPU seconds used so far by these processes (none for one that is gone)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_processes(server, dsn):
    """The pids of a gunicorn server's workers and of the database's client backends."""
    workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    with psycopg.connect(dsn, autocommit=True) as conn:
        backends = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(pid) for pid in workers] + [pid for (pid,) in backends]


def run_wrk(url, token, duration, connections, processes=()):
    """(req/s, p50 ms, p99 ms, CPU ms per request of `processes` and wrk together)."""
    cpu_before = cpu_seconds(processes)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "5s",
            "-H",
            f"Authorization: Token {token}",
            url,
        ],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = cpu_seconds(processes) - cpu_before
    cpu += (wrk_after.ru_utime - wrk_before.ru_utime) + (wrk_after.ru_stime - wrk_before.ru_stime)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} non-2xx responses\n{out}")

    def pct(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return rps, pct("50"), pct("99"), 1000 * cpu / max(requests, 1)


def start_gunicorn(port, env):
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def print_results(args, per_round, results):
    ceiling_label = TARGETS[0][0]
    print(
        f"\nAPI benchmark: {args.rows:,} incidents, gunicorn 2 sync workers, wrk -t1 -c{args.connections} "
        f"on loopback, token auth (Viewer); {args.rounds} interleaved rounds of {per_round} s per URL, "
        f"medians (p99: median and worst round)\n"
    )
    print("| request | req/s | p50 (ms) | p99 (ms) | worst p99 (ms) | % of ceiling | target met |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for i, (label, _name, _path) in enumerate(TARGETS):
        runs = results[label]
        rps, p50, p99 = (median(r[k] for r in runs) for k in range(3))
        worst = max(r[2] for r in runs)
        ratio = median(r[0] / c[0] for r, c in zip(runs, results[ceiling_label]))
        met = "—" if i == 0 else ("yes" if ratio >= 0.25 and p99 < 50 else "NO")
        print(f"| {label} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {worst:.1f} | {100 * ratio:.0f} % | {met} |")
    print(
        "\nCPU per request, all of it: the server's gunicorn workers, the database's backends and "
        "wrk (median of the rounds)\n"
    )
    print("| request | CPU per request (ms) | plain view's CPU per request ÷ this |")
    print("| --- | ---: | ---: |")
    ceiling_cpu = median(r[3] for r in results[ceiling_label])
    for label, _name, _path in TARGETS:
        cpu = median(r[3] for r in results[label])
        print(f"| {label} | {cpu:.2f} | {100 * ceiling_cpu / cpu:.0f} % |")
    print(f"\nFiltered URL: `{FILTERED}`")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL, in all")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds the duration is split in")
    parser.add_argument(
        "--connections",
        type=int,
        default=2,
        help="wrk connections; default = gunicorn workers, so latency is not queueing",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", default="tracker_bench_api")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a --keep run left (no reload); implies --keep"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install -y wrk")

    dsn, env = scratch_server(args)
    servers = []
    try:
        log("migrating")
        manage(env, "migrate", "--noinput", "-v0")
        if not args.reuse:
            load(dsn, args.rows)
        token = create_token(env)
        log("starting two gunicorn servers (2 workers each; one is idle while the other is measured)")
        bases = {}
        for offset, (name, cache_seconds) in enumerate((("cached", "300"), ("uncached", "0"))):
            port = args.port + offset
            servers.append(start_gunicorn(port, {**env, "TRACKER_API_PAGE_CACHE_SECONDS": cache_seconds}))
            bases[name] = f"http://127.0.0.1:{port}"
            wait_until_up(bases[name], token)
        for label, name, path in TARGETS:
            size = check(bases[name], path, token)
            run_wrk(bases[name] + path, token, 2, args.connections)  # warm-up: caches, connections
            log(f"{label}: OK ({size} items)")
        # Interleaved rounds: on a shared machine the load changes from minute to minute, so
        # each list is compared with the ceiling measured in the same round.
        per_round = max(1, args.duration // args.rounds)
        results = {label: [] for label, _, _ in TARGETS}
        server_of = dict(zip(bases, servers))
        for round_no in range(args.rounds):
            for label, name, path in TARGETS:
                # Asked before each run: a connection older than CONN_MAX_AGE is replaced.
                processes = server_processes(server_of[name], dsn)
                results[label].append(
                    run_wrk(bases[name] + path, token, per_round, args.connections, processes)
                )
            log(
                f"round {round_no + 1}/{args.rounds}: "
                + ", ".join(f"{results[label][-1][0]:.0f}" for label, _, _ in TARGETS)
                + " req/s"
            )
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')

    print_results(args, per_round, results)


if __name__ == "__main__":
    main()
