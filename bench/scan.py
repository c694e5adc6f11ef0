"""Benchmark of the violation scan on PostgreSQL.

Creates N synthetic incidents (default 1,000,000) and 50 clauses with areas in a scratch
database, then measures: reading the incidents' ids, coordinates, dates and categories alone
(the floor), a full scan (first run, writing violations; then a rerun with nothing to change),
and an incremental scan after 1,000 new incidents.

With --redis URL (or BENCH_REDIS), it then starts two Celery worker processes (`--pool solo`,
one process each) on that broker and times the full scan sent as a task, split into --chunks
id ranges, on one of them and then on both (--rounds interleaved rounds, medians), each round
with the read floor again: first run (violations deleted before) and rerun; with the CPU time
the worker processes and the database's backends used.

    python bench/scan.py [--rows N] [--clauses 50] [--database NAME] [--keep | --reuse]
                         [--redis redis://127.0.0.1:6379/6 --chunks 2 --rounds 3]
"""

import argparse
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import DEFAULT_SERVER, ROOT, drop_database, print_table, timed, use_scratch_database

DB = "tracker_bench_scan"
CATEGORIES = ["air_strike", "shelling", "armed_clash", "patrol", "route_closed", "attack_on_civilians"]


def populate(rows, clauses, seed=1):
    from django.db import connection

    from agreements.models import Agreement, Area, Clause, Party

    rng = random.Random(seed)
    parties = [Party.objects.create(name=f"Party {i}", kind="armed_group") for i in range(6)]
    agreement = Agreement.objects.create(
        title="Bench", slug="bench", in_force_from=dt.datetime(2018, 9, 17, tzinfo=dt.UTC)
    )
    for i in range(clauses):
        lon, lat = rng.uniform(35.8, 38.2), rng.uniform(34.8, 36.8)
        shape = i % 3
        if shape == 0:
            geometry, buffer_km = (
                {"type": "Point", "coordinates": [lon, lat]},
                Decimal(f"{rng.uniform(5, 15):.1f}"),
            )
        elif shape == 1:
            geometry = {
                "type": "LineString",
                "coordinates": [[lon, lat], [lon + 0.4, lat + 0.1], [lon + 0.7, lat]],
            }
            buffer_km = 6
        else:
            d = rng.uniform(0.05, 0.15)
            geometry = {
                "type": "Polygon",
                "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
            }
            buffer_km = 0
        area = Area(name=f"Area {i}", slug=f"area-{i}", geometry=geometry, buffer_km=buffer_km)
        area.full_clean()
        area.save()
        clause = Clause.objects.create(
            agreement=agreement,
            number=str(i + 1),
            title=f"Clause {i + 1}",
            prohibited_categories=rng.sample(CATEGORIES[:3], 2) + ["attack_on_civilians"],
            in_force_from=dt.datetime(2018, 9, 17, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(0, 200)),
        )
        clause.areas.set([area])
        clause.obligated_parties.set(rng.sample(parties, 3))
    party_ids = [p.id for p in parties]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incidents_incident (
                occurred_at, date_precision, place_name, admin1, admin2, latitude, longitude,
                location_precision, category, perpetrator_id, actor_name, actor_case, target_type, weapons,
                killed_civilians, killed_combatants, killed_unknown, injured_civilians,
                injured_combatants, injured_unknown, description, status, source_dataset, external_id,
                created_at, updated_at)
            SELECT timestamptz '2018-01-01' + random() * interval '730 days',
                   CASE WHEN random() < 0.9 THEN 'day' ELSE 'month' END, '', '', '',
                   34.5 + random() * 2.5, 35.5 + random() * 3.0,
                   CASE WHEN random() < 0.85 THEN 'exact' WHEN random() < 0.5 THEN 'near' ELSE 'district' END,
                   (%s::text[])[1 + floor(random() * %s)::int],
                   CASE WHEN random() < 0.15 THEN NULL ELSE (%s::bigint[])[1 + floor(random() * %s)::int] END,
                   '', 'registered', '', '[]', 0, 0, (random() * 3)::int, 0, 0, 0, '', 'verified', 'bench', g::text,
                   now() - interval '1 day', now() - interval '1 day'
            FROM generate_series(1, %s) AS g
            """,
            [CATEGORIES, len(CATEGORIES), party_ids, len(party_ids), rows],
        )
        cursor.execute(
            "UPDATE incidents_incident SET actor_case = 'unidentified' WHERE perpetrator_id IS NULL"
        )
        cursor.execute("VACUUM ANALYZE incidents_incident")


def use_kept_database(name):
    """Point Django at the database `name` a --keep run left, as it is; return its URL."""
    url = f"{os.environ.get('BENCH_POSTGRES', DEFAULT_SERVER)}/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    return url


def read_floor():
    """The columns a scan needs, read from the database and nothing else."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, longitude, latitude, EXTRACT(EPOCH FROM occurred_at)::float8, category "
            "FROM incidents_incident"
        )
        return len(cursor.fetchall())


def delete_violations():
    """Back to before a first run: no violations, and no dead rows left for the next run to wade
    through or for autovacuum to clean up while it is timed (both would be this benchmark's
    doing, not the scan's)."""
    from django.db import connection

    from tracker.models import Violation

    Violation.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Violation._meta.db_table}")


def add_new_incidents(count, seed=2):
    from incidents.models import Incident

    rng = random.Random(seed)
    Incident.objects.bulk_create(
        [
            Incident(
                occurred_at=dt.datetime(2019, 6, 1, tzinfo=dt.UTC) + dt.timedelta(hours=rng.randrange(2000)),
                latitude=rng.uniform(34.5, 37.0),
                longitude=rng.uniform(35.5, 38.5),
                category=rng.choice(CATEGORIES),
                status="verified",
            )
            for _ in range(count)
        ]
    )


class Workers:
    """Two Celery worker processes: "a" alone takes queue <q>-1; "a" and "b" both take <q>-2."""

    def __init__(self, broker, database_url):
        from celery import Celery

        self.prefix = f"bench-scan-{uuid.uuid4().hex[:6]}"
        self.app = Celery("bench", broker=broker)
        env = dict(
            os.environ,
            DATABASE_URL=database_url,
            REDIS_URL=broker,
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DJANGO_DEBUG="false",
        )
        queues = {"a": f"{self.prefix}-1,{self.prefix}-2", "b": f"{self.prefix}-2"}
        self.processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool",
                    "solo",
                    "-Q",
                    queue,
                    "-n",
                    f"{name}-{self.prefix}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
            for name, queue in queues.items()
        ]

    def full_scan(self, processes, chunks):
        """Seconds from sending a full scan in `chunks` to `processes` (1 or 2) until it succeeded."""
        from tracker.choices import JobKind, JobStatus
        from tracker.models import JobRun

        last = (
            JobRun.objects.filter(kind=JobKind.SCAN_FULL).order_by("-id").values_list("id", flat=True).first()
        )
        # Timed to the moment the last chunk recorded the run finished (same clock, same
        # machine), not to when this loop notices: the loop's pace neither adds to the time nor,
        # at 0.1 s, takes much of the cores the workers share.
        started = time.time()
        self.app.send_task(
            "tracker.tasks.scan_violations",
            kwargs={"full": True, "chunks": chunks},
            queue=f"{self.prefix}-{processes}",
        )
        while True:
            time.sleep(0.1)
            run = JobRun.objects.filter(kind=JobKind.SCAN_FULL, id__gt=last or 0).first()
            if run is not None and run.status != JobStatus.RUNNING:
                break
        seconds = run.finished_at.timestamp() - started
        if run.status != JobStatus.SUCCEEDED:
            raise SystemExit(f"the chunked scan failed: {run.error}")
        return seconds, run

    def cpu_seconds(self):
        """CPU time the worker processes used so far (user + system), from /proc."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for process in self.processes:
            with open(f"/proc/{process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def peak_memory_mb(self):
        """The largest peak resident memory of a worker process (VmHWM), in MB."""
        peaks = []
        for process in self.processes:
            with open(f"/proc/{process.pid}/status") as status:
                peaks += [int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM")]
        return max(peaks)

    def stop(self):
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=30)
        with self.app.connection_for_write() as conn:
            for queue in (f"{self.prefix}-1", f"{self.prefix}-2"):
                conn.default_channel.queue_delete(queue)


class DatabaseCPU:
    """CPU time of the PostgreSQL backends serving `database` (but not this process), from /proc.

    Sampled every 0.1 s from pg_stat_activity in a thread of its own, so that a backend that
    ends between two readings (a connection closed at the end of a task, a parallel worker at
    the end of its query) still counts up to its last sample. Parallel workers count too: a
    query planned in parallel spends most of its CPU in them. Needs the server on this machine:
    elsewhere the total stays at 0.
    """

    def __init__(self, database):
        import threading

        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.own_pid = cursor.fetchone()[0]
        self.database = database
        self.latest = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        import psycopg

        server = os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER)
        ticks = os.sysconf("SC_CLK_TCK")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            while not self.stopped.wait(0.1):
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                    "AND backend_type IN ('client backend', 'parallel worker')",
                    [self.database],
                ).fetchall()
                for (pid,) in pids:
                    try:
                        with open(f"/proc/{pid}/stat") as stat:
                            fields = stat.read().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if pid != self.own_pid:
                        self.latest[pid] = (int(fields[11]) + int(fields[12])) / ticks

    def seconds(self):
        """CPU seconds used so far by the backends seen (wait for one more sample first)."""
        time.sleep(0.15)
        return sum(self.latest.values())

    def stop(self):
        self.stopped.set()
        self.thread.join()


def compare_workers(broker, database_url, chunks, rounds):
    """Rows: the full scan in chunks on one worker process and on two, with the floor of each round."""
    from statistics import median

    workers = Workers(broker, database_url)
    database = DatabaseCPU(database_url.rsplit("/", 1)[1])
    try:
        workers.full_scan(2, chunks)  # both workers up, connected and warm
        timings = {key: [] for key in ("floor", "1 first", "2 first", "1 rerun", "2 rerun")}
        cpu = {"first": [], "rerun": []}
        database_cpu = {"first": [], "rerun": []}
        for round_no in range(rounds):
            started = time.perf_counter()
            read_floor()
            timings["floor"].append(time.perf_counter() - started)
            for processes in (1, 2) if round_no % 2 == 0 else (2, 1):
                delete_violations()
                before, database_before = workers.cpu_seconds(), database.seconds()
                seconds, run = workers.full_scan(processes, chunks)
                timings[f"{processes} first"].append(seconds)
                created = run.counts["created"]
                between, database_between = workers.cpu_seconds(), database.seconds()
                timings[f"{processes} rerun"].append(workers.full_scan(processes, chunks)[0])
                cpu["first"].append(between - before)
                cpu["rerun"].append(workers.cpu_seconds() - between)
                database_cpu["first"].append(database_between - database_before)
                database_cpu["rerun"].append(database.seconds() - database_between)
            print(
                f"round {round_no + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in timings.items()),
                file=sys.stderr,
            )
        peak = workers.peak_memory_mb()
    finally:
        workers.stop()
        database.stop()
    floor = median(timings["floor"])
    rows = [
        {"measure": f"read floor (median of {rounds} rounds)", "seconds": f"{floor:.3f}", "ratio": "1.00x"}
    ]
    for kind, label in (
        ("first", f"first run, writes {created:,} violations"),
        ("rerun", "rerun, nothing to change"),
    ):
        one, two = median(timings[f"1 {kind}"]), median(timings[f"2 {kind}"])
        speedup = median(a / b for a, b in zip(timings[f"1 {kind}"], timings[f"2 {kind}"]))
        for processes, seconds in ((1, one), (2, two)):
            rows.append(
                {
                    "measure": f"full scan as {chunks} chunks on {processes} worker process(es), {label}",
                    "seconds": f"{seconds:.3f}",
                    "ratio": f"{seconds / floor:.2f}x",
                    "changes": f"speed-up {speedup:.2f}x" if processes == 2 else "",
                }
            )
        rows.append(
            {
                "measure": f"worker CPU time of the {label.split(',')[0]}, all chunks (median)",
                "seconds": f"{median(cpu[kind]):.3f}",
            }
        )
        rows.append(
            {
                "measure": f"PostgreSQL backends' CPU time of the {label.split(',')[0]}, all chunks (median)",
                "seconds": f"{median(database_cpu[kind]):.3f}",
            }
        )
    rows.append(
        {"measure": f"peak memory of a worker process (one chunk of {chunks})", "changes": f"{peak:.0f} MB"}
    )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clauses", type=int, default=50)
    parser.add_argument(
        "--database", default=DB, help=f"Scratch database, dropped first and afterwards (default {DB})."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    parser.add_argument(
        "--reuse", action="store_true", help="Use the database a --keep run left (no reload); implies --keep."
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS"),
        help="Broker for the 1-vs-2 worker processes comparison (default BENCH_REDIS; none: skipped).",
    )
    parser.add_argument("--chunks", type=int, default=2, help="Chunks of the full scan on the workers.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds of the workers comparison.")
    args = parser.parse_args()
    args.keep = args.keep or args.reuse
    database_url = use_kept_database(args.database) if args.reuse else use_scratch_database(args.database)
    try:
        from incidents.models import Incident
        from tracker import services
        from tracker.models import Violation

        if args.reuse:
            args.rows = Incident.objects.count()
        else:
            started = time.perf_counter()
            populate(args.rows, args.clauses)
            print(
                f"Loaded {args.rows:,} incidents and {args.clauses} clauses in "
                f"{time.perf_counter() - started:.1f}s",
                file=sys.stderr,
            )
        results = []
        read_floor()  # warm the cache once so every measure reads from memory alike
        with timed(results, "read ids/coords/dates/categories (floor)"):
            read_floor()
        services.scan_violations(full=True)  # first run: writes the violations (timed separately below)
        first_count = Violation.objects.count()
        delete_violations()
        with timed(results, "full scan, first run (writes violations)", changes=f"{first_count:,} created"):
            services.scan_violations(full=True)
        with timed(results, "full scan, rerun (nothing to change)"):
            counts = services.scan_violations(full=True)
        results[-1]["changes"] = f"{counts['created'] + counts['updated'] + counts['withdrawn']} changed"
        add_new_incidents(1000)
        with timed(results, "incremental scan of 1,000 new incidents"):
            counts = services.scan_violations()
        results[-1]["changes"] = f"{counts['incidents']} read, {counts['created']} created"
        floor = results[0]["seconds"]
        for row in results:
            row["ratio"] = f"{row['seconds'] / floor:.2f}x"
            row["seconds"] = f"{row['seconds']:.3f}"
        print_table(
            f"Violation scan: {args.rows:,} incidents x {args.clauses} clauses, PostgreSQL",
            results,
            ["measure", "seconds", "ratio", "changes"],
        )
        if args.redis:
            print_table(
                f"Full scan across Celery workers: {args.rows:,} incidents x {args.clauses} clauses, PostgreSQL",
                compare_workers(args.redis, database_url, args.chunks, args.rounds),
                ["measure", "seconds", "ratio", "changes"],
            )
    finally:
        if not args.keep:
            drop_database(args.database)


if __name__ == "__main__":
    main()
