"""Benchmark: build a weekly violation report over N incidents on PostgreSQL.

    python bench/reports.py [--rows 1000000] [--violation-share 0.2] [--keep]

Creates its own database (tracker_bench_reports by default, on BENCH_DATABASE_URL's server,
default postgres://postgres@127.0.0.1:5432), migrates it, fills it with INSERT ... SELECT over
generate_series (no Python loop over rows), times the report, prints a markdown table, and drops
the database unless --keep. Target: a weekly report in under 3 s at 1,000,000 incidents.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CATEGORIES = [
    "air_strike",
    "shelling",
    "armed_clash",
    "explosive_device",
    "attack_on_civilians",
    "heavy_weapons_presence",
    "armed_group_presence",
    "patrol_obstructed",
]
PARTIES = 12
CLAUSES = 10
WEEK = (dt.date(2019, 4, 1), dt.date(2019, 4, 7))


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="incidents to create (default 1,000,000)")
    parser.add_argument(
        "--violation-share", type=float, default=0.2, help="share of incidents with violations"
    )
    parser.add_argument(
        "--days", type=int, default=730, help="incidents are spread over this many days from 2018-01-01"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each step (the median is shown)")
    parser.add_argument("--database", default="tracker_bench_reports")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def server_url():
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin_sql(statement):
    import psycopg

    parts = urlsplit(server_url())
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(statement)


def timed(step, repeat):
    runs = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), min(runs), result


def fill(rows, share, days):
    from django.db import connection

    from agreements.models import Agreement, Area, Clause, Deadline, Party

    parties = [Party.objects.create(name=f"Bench party {i}", kind="armed_group") for i in range(PARTIES)]
    zone = Area.objects.create(
        name="Bench zone",
        slug="bench-zone",
        geometry={
            "type": "Polygon",
            "coordinates": [[[36.2, 35.4], [37.2, 35.4], [37.2, 36.3], [36.2, 36.3], [36.2, 35.4]]],
        },
    )
    road = Area.objects.create(
        name="Bench road",
        slug="bench-road",
        buffer_km=6,
        geometry={"type": "LineString", "coordinates": [[36.3, 35.6], [36.8, 35.8], [37.1, 35.9]]},
    )
    agreement = Agreement.objects.create(
        title="Bench memorandum", slug="bench", in_force_from=dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
    )
    agreement.areas.set([zone])
    clauses = [
        Clause.objects.create(
            agreement=agreement, number=str(i + 1), title=f"Clause {i + 1}", prohibited_categories=CATEGORIES
        )
        for i in range(CLAUSES)
    ]
    clauses[1].areas.set([road])
    for i, clause in enumerate(clauses):
        Deadline.objects.create(
            clause=clause,
            agreement=agreement,
            description=f"Obligation {i + 1}",
            due_date=dt.date(2019, 3, 20) + dt.timedelta(days=3 * i),
            status="missed" if i % 3 == 0 else "pending",
        )
    party_ids = "ARRAY[" + ",".join(str(p.id) for p in parties) + "]::bigint[]"
    clause_ids = "ARRAY[" + ",".join(str(c.id) for c in clauses) + "]::bigint[]"
    categories = "ARRAY[" + ",".join(f"'{c}'" for c in CATEGORIES) + "]"
    step = max(1, round(1 / share)) if share > 0 else 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(f"""
            INSERT INTO incidents_incident (
                occurred_at, date_precision, place_name, admin1, admin2, latitude, longitude,
                location_precision, category, perpetrator_id, target_type, weapons,
                killed_civilians, killed_combatants, killed_unknown,
                injured_civilians, injured_combatants, injured_unknown,
                description, status, source_dataset, external_id, created_at, updated_at)
            SELECT
                timestamptz '2018-01-01 00:00+00' + random() * interval '{days} days',
                'day', 'Place ' || (g % 500), 'Idlib', 'District ' || (g % 7),
                35.4 + random() * 0.9, 36.2 + random() * 1.0, 'exact',
                ({categories})[1 + (g % {len(CATEGORIES)})],
                CASE WHEN g % 7 = 0 THEN NULL ELSE ({party_ids})[1 + (g % {PARTIES})] END,
                '', '[]'::jsonb,
                (random() * random() * 6)::int, (random() * random() * 3)::int, 0,
                (random() * random() * 10)::int, 0, (random() * 2)::int,
                '', 'verified', 'bench', g::text, now(), now()
            FROM generate_series(1, {int(rows)}) AS g
        """)
        if step:
            cursor.execute(f"""
                INSERT INTO tracker_violation (incident_id, clause_id, confidence, reasons, status, flagged_at, updated_at, review_note)
                SELECT i.id, ({clause_ids})[1 + (i.id % {CLAUSES})],
                       (ARRAY['high','medium','low'])[1 + (i.id % 3)], '[]'::jsonb,
                       (ARRAY['flagged','flagged','confirmed','dismissed'])[1 + (i.id / {step} % 4)],
                       i.occurred_at + interval '1 hour', now(), ''
                FROM incidents_incident i WHERE i.id % {step} = 0
            """)
            # Some incidents breach a second clause.
            cursor.execute(f"""
                INSERT INTO tracker_violation (incident_id, clause_id, confidence, reasons, status, flagged_at, updated_at, review_note)
                SELECT i.id, ({clause_ids})[1 + ((i.id + 1) % {CLAUSES})], 'medium', '[]'::jsonb, 'flagged',
                       i.occurred_at + interval '1 hour', now(), ''
                FROM incidents_incident i WHERE i.id % ({step} * 5) = 0
            """)
        cursor.execute("""
            INSERT INTO incidents_source (incident_id, name, url, published_on, reliability, confidential, notes)
            SELECT i.id, CASE WHEN i.id % 2 = 0 THEN 'Witness ' || i.id ELSE 'Outlet ' || (i.id % 40) END,
                   '', i.occurred_at::date, 'C', i.id % 2 = 0, ''
            FROM incidents_incident i WHERE i.id % 3 = 0
        """)
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM tracker_violation")
        violations = cursor.fetchone()[0]
    return agreement, violations


def main():
    args = parse_args()
    url = with_database(server_url(), args.database)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{args.database}"')
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from reports.build import build_report_data
        from reports.pdf import to_pdf
        from reports.services import build_report_content

        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_s = time.perf_counter() - start
        start = time.perf_counter()
        agreement, violations = fill(args.rows, args.violation_share, args.days)
        fill_s = time.perf_counter() - start
        tz = agreement.tz

        def data_only():
            return build_report_data(
                agreement=agreement, start=WEEK[0], end=WEEK[1], tz=tz, now=timezone.now()
            )

        def full():
            return build_report_content(
                agreement=agreement, start=WEEK[0], end=WEEK[1], tz=tz, now=timezone.now()
            )

        def all_agreements():
            return build_report_data(agreement=None, start=WEEK[0], end=WEEK[1], tz=tz, now=timezone.now())

        # Warm up once, as a running worker would be: database caches, matplotlib's fonts.
        full()
        data_median, data_best, data = timed(data_only, args.repeat)
        full_median, full_best, _ = timed(full, args.repeat)
        all_median, all_best, _ = timed(all_agreements, args.repeat)
        content = full()
        pdf_median, pdf_best, _ = timed(
            lambda: to_pdf(content["data"], timeline_png=content["timeline_png"], map_png=content["map_png"]),
            args.repeat,
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')

    totals = data["totals"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nWeekly report benchmark ({version}, {os.cpu_count()} CPUs, load average at the end {load}); "
        f"week {WEEK[0]} to {WEEK[1]}\n"
    )
    print("| measure | value |")
    print("|---|---|")
    print(f"| incidents | {args.rows:,} |")
    print(f"| violations (all periods) | {violations:,} |")
    print(
        f"| violations in the week (standing) / incidents | {totals['violations']:,} / {totals['incidents']:,} |"
    )
    print(
        f"| fill (INSERT ... SELECT generate_series, ANALYZE) | {fill_s:.1f} s (migrate {migrate_s:.1f} s) |"
    )
    print(
        f"| report data, SQL aggregates (median of {args.repeat}, best) | {data_median:.3f} s ({data_best:.3f} s) |"
    )
    print(
        f"| full report: data + HTML/CSV/JSON + 2 PNG charts (median, best) | {full_median:.3f} s ({full_best:.3f} s) |"
    )
    print(f"| all-agreements report data (median, best) | {all_median:.3f} s ({all_best:.3f} s) |")
    print(
        f"| PDF, only for subscriptions that ask for it (median, best) | {pdf_median:.3f} s ({pdf_best:.3f} s) |"
    )
    verdict = "met" if full_median < 3 else "NOT met"
    print(f"\nTarget < 3 s for a full weekly report: {verdict}.")
    return 0 if full_median < 3 else 1


if __name__ == "__main__":
    sys.exit(main())
