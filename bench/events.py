"""Benchmark of grouping reports into events (events app) on PostgreSQL.

Creates N synthetic incidents (default 1,000,000) in a scratch database: 75 % first reports
from three datasets, and 25 % re-reports of some of them by another dataset (shifted up to
3 km and 6 hours), over Syria and Iraq in 2016-2019 (about 700 reports a day, a few times
ACLED's density there). 80 % are located exactly, 15 % near a town, 5 % to a district; 90 %
are known to the day, 3 % to the week, 7 % to the month. Then measures, in the same run: the
scan's read floor (bench/scan.py), finding the candidate pairs alone (read + search, no
writes), a full grouping from scratch (writing pairs and events), a rerun with nothing to
change, the same grouping in 2 chunks on 1 and on 2 processes, and grouping after 1,000 new
incidents: right after that regrouping (before autovacuum), then on a vacuumed table (the
median of --rounds batches); last, the write floors of a full regrouping, rolled back: the
UPDATE of every grouped incident's event column, then that UPDATE with the same pairs and
events inserted into their emptied tables, the foreign keys checked.

    python bench/events.py [--rows N] [--database NAME] [--keep] [--rounds N]
"""

import argparse
import math
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import drop_database, print_table, timed, use_scratch_database

DB = "tracker_bench_events"
CATEGORIES = ["air_strike", "shelling", "armed_clash", "patrol", "route_closed", "attack_on_civilians"]
COLUMNS = """occurred_at, date_precision, place_name, admin1, admin2, latitude, longitude,
    location_precision, category, perpetrator_id, target_type, weapons, killed_civilians,
    killed_combatants, killed_unknown, injured_civilians, injured_combatants, injured_unknown,
    description, status, actor_case, actor_name, source_dataset, external_id, created_at, updated_at"""


def populate(rows):
    from django.db import connection

    from agreements.models import Party

    parties = [Party.objects.create(name=f"Party {i}", kind="armed_group").id for i in range(6)]
    first = int(rows * 0.75)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO incidents_incident ({COLUMNS})
            SELECT timestamptz '2016-01-01' + random() * interval '1460 days',
                   CASE WHEN r < 0.90 THEN 'day' WHEN r < 0.93 THEN 'week' ELSE 'month' END, '', '', '',
                   29.0 + random() * 8.5, 35.5 + random() * 13.0,
                   CASE WHEN p < 0.80 THEN 'exact' WHEN p < 0.95 THEN 'near' ELSE 'district' END,
                   (%s::text[])[1 + floor(random() * %s)::int],
                   CASE WHEN random() < 0.15 THEN NULL ELSE (%s::bigint[])[1 + floor(random() * %s)::int] END,
                   '', '[]', 0, 0, (random() * 5)::int, 0, 0, 0, '', 'verified',
                   'registered', '', 'd' || (g %% 3), g::text, now() - interval '1 day', now() - interval '1 day'
            FROM (SELECT g, random() AS r, random() AS p FROM generate_series(1, %s) AS g) AS s
            """,
            [CATEGORIES, len(CATEGORIES), parties, len(parties), first],
        )
        cursor.execute(
            f"""
            INSERT INTO incidents_incident ({COLUMNS})
            SELECT occurred_at + (random() - 0.5) * interval '12 hours', date_precision, '', '', '',
                   latitude + (random() - 0.5) * 0.04, longitude + (random() - 0.5) * 0.04,
                   location_precision, category, perpetrator_id, '', '[]', 0, 0,
                   greatest(killed_unknown + (random() * 3)::int - 1, 0), 0, 0, 0, '', 'verified',
                   actor_case, '', 'd' || ((id + 1) %% 3), 'r' || id::text,
                   now() - interval '1 day', now() - interval '1 day'
            FROM incidents_incident ORDER BY random() LIMIT %s
            """,
            [rows - first],
        )
        cursor.execute(
            "UPDATE incidents_incident SET actor_case = 'unidentified' WHERE perpetrator_id IS NULL"
        )
        # As autovacuum leaves a table loaded a day ago: the visibility map lets the incremental
        # grouping read its neighbourhoods from indexes alone.
        cursor.execute("VACUUM ANALYZE incidents_incident")


def add_new_incidents(count, seed=2):
    import datetime as dt
    import random

    from incidents.models import Incident

    rng = random.Random(seed)
    Incident.objects.bulk_create(
        [
            Incident(
                occurred_at=dt.datetime(2019, 6, 1, tzinfo=dt.UTC) + dt.timedelta(hours=rng.randrange(2000)),
                latitude=rng.uniform(29.0, 37.5),
                longitude=rng.uniform(35.5, 48.5),
                category=rng.choice(CATEGORIES),
                status="verified",
                source_dataset="new",
                external_id=f"{seed}-{i}",
            )
            for i in range(count)
        ]
    )


def reset():
    """No pairs, no events, on a vacuumed table: as the first full grouping found it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE events_candidatepair, events_event")
        cursor.execute("UPDATE incidents_incident SET event = NULL WHERE event IS NOT NULL")
        cursor.execute("VACUUM ANALYZE incidents_incident")


def _in_process(step):
    """One task in a process of its own, as a Celery worker runs it."""
    import django
    from django.db import connections

    django.setup()
    connections.close_all()
    from events import services

    name, args, kwargs = step
    return getattr(services, name)(*args, **kwargs)


def chunked(processes, chunks=2):
    """The full regrouping in `chunks` chunks on `processes` processes, as events.tasks.group_all
    sends it to the workers: the chunks' pairs, then the events' parts, then the finish."""
    from django.db import connections

    from events import services

    run = services.begin_full()
    bounds = services.chunk_bounds(chunks)
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_in_process, [("group_chunk", lo_hi, {"run": run}) for lo_hi in bounds])
        parts = pool.map(
            _in_process,
            [("rebuild_all", (), {"part": p, "parts": chunks, "run": run}) for p in range(chunks)],
        )
    services.finish_full(run)
    return {"events": sum(counts["events"] for counts in parts)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database", default=DB, help=f"Scratch database, dropped first and afterwards (default {DB})."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="Batches of 1,000 new incidents on the vacuumed table (default 3).",
    )
    args = parser.parse_args()
    use_scratch_database(args.database)
    try:
        from django.db import transaction
        from django.utils import timezone

        from bench.scan import read_floor
        from events import services

        started = time.perf_counter()
        populate(args.rows)
        print(f"Loaded {args.rows:,} incidents in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        results = []
        read_floor()  # warm the cache once so every measure reads from memory alike
        floors = []
        for _ in range(3):
            started = time.perf_counter()
            read_floor()
            floors.append(time.perf_counter() - started)
        results.append(
            {
                "measure": "scan's read floor: ids/coords/dates/categories (median of 3)",
                "seconds": statistics.median(floors),
                "changes": f"[{', '.join(f'{t:.3f}' for t in floors)} s]",
            }
        )
        with timed(results, "find candidate pairs (read + search, no writes)"):
            found = services.find_chunk_pairs(-math.inf, math.inf)
        results[-1]["changes"] = f"{len(found.pairs):,} pairs"
        with timed(results, "full grouping from scratch (writes pairs and events)"):
            counts = services.group_all()
        results[-1]["changes"] = f"{counts['pairs_new']:,} pairs, {counts['events']:,} events"
        with timed(results, "full grouping, rerun (nothing to change)"):
            counts = services.group_all()
        changed = sum(counts[k] for k in ("pairs_new", "pairs_revised", "pairs_removed", "events_created"))
        results[-1]["changes"] = f"{changed} changed"
        for processes in (1, 2):
            reset()
            with timed(results, f"full grouping in 2 chunks on {processes} process(es)"):
                counts = chunked(processes)
            results[-1]["changes"] = f"{counts['events']:,} events"
        one, two = results[-2]["seconds"], results[-1]["seconds"]
        results[-1]["changes"] += f", {one / two:.2f}x faster than on 1 process"
        # Right after the regrouping above, as a worker would run next: autovacuum has not
        # passed (it is turned off for the measure), only what the regrouping does itself.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE incidents_incident SET (autovacuum_enabled = false)")
        before = timezone.now()
        add_new_incidents(1000)
        with timed(results, "grouping after 1,000 new incidents, right after a full regrouping"):
            counts = services.group_changed(since=before)
        results[-1]["changes"] = f"{counts['incidents']} new, {counts.get('pairs_new', 0)} pairs"
        # And on a table autovacuum has passed over since: `--rounds` batches of 1,000 others,
        # the median, each batch's time in brackets.
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE incidents_incident RESET (autovacuum_enabled)")
        times = []
        for seed in range(3, 3 + args.rounds):
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE incidents_incident")
                cursor.execute("VACUUM ANALYZE events_candidatepair")
            before = timezone.now()
            add_new_incidents(1000, seed=seed)
            started = time.perf_counter()
            counts = services.group_changed(since=before)
            times.append(time.perf_counter() - started)
        results.append(
            {
                "measure": f"grouping after 1,000 new incidents, vacuumed table (median of {args.rounds})",
                "seconds": statistics.median(times),
                "changes": f"{counts['incidents']} new, {counts.get('pairs_new', 0)} pairs "
                f"[{', '.join(f'{t:.3f}' for t in times)} s]",
            }
        )
        # What a full regrouping cannot avoid writing: the event column of every grouped
        # incident (one UPDATE, rolled back; every index of the table takes the new row).
        with transaction.atomic(), connection.cursor() as cursor:
            with timed(results, "write floor: setting the event column of every grouped incident"):
                cursor.execute("UPDATE incidents_incident SET event = event + 1 WHERE event IS NOT NULL")
            results[-1]["changes"] = f"{cursor.rowcount:,} rows"
            transaction.set_rollback(True)
        # ... and everything it writes from scratch: the same pairs and events, already made,
        # into their emptied tables (INSERT ... SELECT from copies: indexes and the foreign keys'
        # checks, forced before the rollback), and that UPDATE.
        with transaction.atomic(), connection.cursor() as cursor:
            for table in ("events_candidatepair", "events_event"):
                cursor.execute(f"CREATE TEMP TABLE copy_{table} AS SELECT * FROM {table}")
            cursor.execute("TRUNCATE events_candidatepair, events_event")
            with timed(results, "write floor: pairs, events and event column written, constraints checked"):
                for table in ("events_candidatepair", "events_event"):
                    cursor.execute(f"INSERT INTO {table} SELECT * FROM copy_{table}")
                cursor.execute("UPDATE incidents_incident SET event = event + 1 WHERE event IS NOT NULL")
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            transaction.set_rollback(True)
        floor = results[0]["seconds"]
        for row in results:
            row["ratio"] = f"{row['seconds'] / floor:.2f}x"
            row["seconds"] = f"{row['seconds']:.3f}"
        print_table(
            f"Grouping into events: {args.rows:,} incidents, PostgreSQL",
            results,
            ["measure", "seconds", "ratio", "changes"],
        )
    finally:
        if not args.keep:
            drop_database(args.database)


if __name__ == "__main__":
    main()
