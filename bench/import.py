"""Benchmark the incident importer against PostgreSQL COPY and a naive per-row ORM import.

    python bench/import.py [--rows 1000000] [--sample 2000] [--server postgres://postgres@127.0.0.1:5432]

Generates an ACLED-format CSV file of --rows rows in a temporary folder, creates a throwaway
database (tracker_bench_import, dropped at the end), and prints a markdown table of rows/s for:

- COPY: the raw file streamed by COPY ... (FORMAT csv) into a bare table of text columns, no
  index: the floor of what the database accepts;
- the importer: `manage.py import_incidents FILE --format acled` in a subprocess (the full
  command path, Django start-up included), with its peak memory (maxrss);
- the importer again on the same file (every row unchanged);
- naive: per-row Party.match + Incident.objects.create + Source.objects.create on --sample rows.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
SUB_EVENT_TYPES = [
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Battles", "Armed clash"),
    ("Battles", "Government regains territory"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Looting/property destruction"),
    ("Protests", "Peaceful protest"),
]
KNOWN_ACTORS = {  # party name -> the ACLED name, given to the parties as an alias
    "Syrian government": "Military Forces of Syria (2000-)",
    "Russia": "Military Forces of Russia (2000-)",
    "Turkey": "Military Forces of Turkey (2016-)",
    "HTS": "Hayat Tahrir al-Sham",
    "National Front for Liberation": "NLF: National Liberation Front",
}
OTHER_ACTORS = [f"Unidentified Armed Group (Syria) {n}" for n in range(20)]
PLACES = [
    ("Idleb", "Ariha", "Ariha", 35.817, 36.600),
    ("Idleb", "Idleb", "Saraqab", 35.8636, 36.8006),
    ("Hama", "As-Suqaylabiyah", "Kafr Nobol", 35.61, 36.56),
    ("Aleppo", "Jebel Saman", "Atareb", 36.14, 36.83),
    ("Idleb", "Jisr-Ash-Shugur", "Jisr ash Shughur", 35.81, 36.32),
    ("Lattakia", "Al Haffa", "Kabani", 35.72, 36.13),
]
SOURCES = ["SOHR", "Step Agency", "Enab Baladi", "SANA", "Syria Call", "Smart News Agency", "Qasioun News"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTH_ABBR = [m[:3] for m in MONTHS]


def generate(path, rows, seed=1):
    rng = random.Random(seed)
    actors = list(KNOWN_ACTORS.values()) + OTHER_ACTORS
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACLED_COLUMNS)
        for n in range(rows):
            year, month, day = rng.choice((2018, 2019, 2020)), rng.randint(1, 12), rng.randint(1, 28)
            form = n % 3
            if form == 0:
                date = f"{day} {MONTHS[month - 1]} {year}"
            elif form == 1:
                date = f"{year}-{month:02d}-{day:02d}"
            else:
                date = f"{day}-{MONTH_ABBR[month - 1]}-{year % 100:02d}"
            event_type, sub_event_type = rng.choice(SUB_EVENT_TYPES)
            admin1, admin2, location, lat, lon = rng.choice(PLACES)
            actor1 = rng.choice(actors)
            sources = "; ".join(rng.sample(SOURCES, rng.randint(1, 3)))
            writer.writerow(
                [
                    f"SYR{n + 1}",
                    date,
                    year,
                    rng.choice("1112"),
                    "Political violence",
                    event_type,
                    sub_event_type,
                    actor1,
                    "",
                    "1",
                    "Civilians (Syria)",
                    "",
                    "7",
                    "17",
                    "",
                    "760",
                    "Middle East",
                    "Syria",
                    admin1,
                    admin2,
                    location,
                    location,
                    f"{lat + rng.uniform(-0.05, 0.05):.4f}",
                    f"{lon + rng.uniform(-0.05, 0.05):.4f}",
                    rng.choice("1112"),
                    sources,
                    "National",
                    f"On {date}, {actor1} shelled positions near {location}; {rng.randint(0, 9)} houses were damaged.",
                    rng.choice((0, 0, 0, 1, 2, 5)),
                    "",
                    str(1600000000 + n),
                ]
            )


def server_dsn(server, dbname):
    return f"{server.rstrip('/')}/{dbname}"


def run(cmd, env):
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def timed_child(cmd, env):
    """Run cmd; return (seconds, peak resident memory in MB of that process)."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.decode()}")
    return seconds, usage.ru_maxrss / 1024, out.decode()


def copy_floor(dsn, path):
    columns = ", ".join(f"{name} text" for name in ACLED_COLUMNS)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE bench_copy_floor ({columns})")
        started = time.perf_counter()
        with conn.cursor() as cursor, open(path, "rb") as handle:
            with cursor.copy("COPY bench_copy_floor FROM STDIN (FORMAT csv, HEADER)") as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM bench_copy_floor").fetchone()[0]
        # What writing the rows into the real table costs, with no parsing and no sources: its
        # indexes, constraints and foreign key. Rolled back.
        conn.execute("SET jit TO off")
        with conn.transaction(force_rollback=True):
            started = time.perf_counter()
            conn.execute(
                "INSERT INTO incidents_incident (occurred_at, date_precision, place_name, admin1, admin2,"
                " latitude, longitude, location_precision, category, perpetrator_id, target_type, weapons,"
                " killed_civilians, killed_combatants, killed_unknown, injured_civilians, injured_combatants,"
                " injured_unknown, description, status, source_dataset, external_id, created_at, updated_at)"
                " SELECT now(), 'day', location, admin1, admin2, latitude::float, longitude::float, 'exact',"
                " 'shelling', (SELECT min(id) FROM agreements_party), '', '[]', 0, 0, fatalities::int, 0, 0, 0,"
                " notes, 'draft', 'floor', event_id_cnty, now(), now() FROM bench_copy_floor"
            )
            insert_seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy_floor")
    return seconds, count, insert_seconds


def naive(path, sample):
    """What a simple importer does: one Party lookup, one INSERT per incident and per source."""
    import django

    django.setup()
    from agreements.models import Party
    from imports.acled import AcledReader
    from imports.base import CsvStream
    from incidents.models import Incident, Source

    started = time.perf_counter()
    with open(path, "rb") as handle:
        stream = CsvStream(handle)
        reader = AcledReader(stream.header)
        done = 0
        for _, row in stream:
            record = reader.parse(row)
            incident = Incident.objects.create(
                source_dataset="naive",
                external_id=record.external_id,
                perpetrator=Party.match(record.actor),
                **record.fields,
            )
            for name, url, published_on, notes in record.sources:
                Source.objects.create(
                    incident=incident, name=name, url=url, published_on=published_on, notes=notes
                )
            done += 1
            if done >= sample:
                break
    return time.perf_counter() - started, done


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000, help="rows for the naive per-row import")
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--database", default="tracker_bench_import")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second (unchanged) import")
    args = parser.parse_args()

    dsn = server_dsn(args.server, args.database)
    env = {**os.environ, "DATABASE_URL": dsn, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    os.environ.update({"DATABASE_URL": dsn, "DJANGO_SETTINGS_MODULE": "config.settings.local"})
    python = sys.executable
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        path = Path(folder) / "acled.csv"
        started = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )

        with psycopg.connect(server_dsn(args.server, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
            admin.execute(f'CREATE DATABASE "{args.database}"')
        try:
            run([python, "manage.py", "migrate", "--noinput"], env)
            run(
                [
                    python,
                    "manage.py",
                    "shell",
                    "-c",
                    (
                        "from agreements.models import Party, PartyAlias\n"
                        f"for name, alias in {KNOWN_ACTORS!r}.items():\n"
                        "    p = Party.objects.create(name=name, kind='armed_group')\n"
                        "    PartyAlias.objects.create(party=p, name=alias, dataset='acled')\n"
                    ),
                ],
                env,
            )

            seconds, count, insert_seconds = copy_floor(dsn, path)
            assert count == args.rows, count
            results.append(("COPY into a bare table (floor)", count, seconds, None, ""))
            results.append(
                (
                    "INSERT … SELECT of those rows into `incidents_incident` (no parsing, no sources)",
                    count,
                    insert_seconds,
                    None,
                    "",
                )
            )
            print(f"COPY: {seconds:.1f} s", file=sys.stderr)

            command = [
                python,
                "manage.py",
                "import_incidents",
                str(path),
                "--format",
                "acled",
                "--no-progress",
            ]
            seconds, peak, out = timed_child(command, env)
            results.append(
                ("importer (`import_incidents`, first import)", args.rows, seconds, peak, out.splitlines()[0])
            )
            print(f"importer: {seconds:.1f} s, {peak:.0f} MB\n{out}", file=sys.stderr)
            if not args.no_reimport:
                seconds, peak, out = timed_child(command, env)
                results.append(("importer again, same file", args.rows, seconds, peak, out.splitlines()[0]))
                print(f"re-import: {seconds:.1f} s, {peak:.0f} MB\n{out}", file=sys.stderr)

            seconds, done = naive(path, args.sample)
            results.append((f"naive per-row `objects.create` ({done:,}-row sample)", done, seconds, None, ""))
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(server_dsn(args.server, "postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')

    floor = results[0][1] / results[0][2]
    print(f"\nImport benchmark: {args.rows:,} ACLED rows, PostgreSQL, {os.cpu_count()} cores\n")
    print("| path | rows | seconds | rows/s | % of COPY | peak memory |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows, seconds, peak, _ in results:
        rate = rows / seconds
        memory = f"{peak:.0f} MB" if peak else ""
        print(f"| {name} | {rows:,} | {seconds:.1f} | {rate:,.0f} | {100 * rate / floor:.0f} % | {memory} |")
    for name, _, _, _, summary in results:
        if summary:
            print(f"\n{name}: {summary}")


if __name__ == "__main__":
    main()
