"""Benchmark the incident importer against the schema's own write floor, and its peers.

    python bench/import.py [--rows 1000000] [--rounds 3] [--sample 2000] [--peer-sample 20000]
                           [--database NAME] [--server postgres://postgres@127.0.0.1:5432] [--baseline DIR]

Generates an ACLED-format CSV file of --rows rows in a temporary folder, creates a throwaway
database (tracker_bench_import, dropped at the end) and prints a markdown table. Each round:

- the importer, `manage.py import_incidents FILE --format acled` in a subprocess (Django
  start-up included), first import into empty tables, with its peak memory (maxrss);
- the importer again on the same file (every row unchanged), against its floor: reading and
  parsing the file as the importer does (the same blocks, rules and party matching; a
  subprocess too, start-up included), nothing written;
- the schema's write floor: a binary COPY of the very rows (and sources) the first import wrote,
  already parsed and matched, into the real tables with their indexes, constraints and foreign
  keys, in one committed transaction (the files are dumped once, after the first import).

With --baseline DIR, the importer of the checkout in DIR (e.g. the code before a change) runs
in each round too, first import and re-import, against the same floors.

Then once: COPY of the raw file into a bare table of text columns (a reference: what the
database takes with no index at all); django-import-export with `use_bulk` on the same rows
(--peer-sample incidents, then their sources); a naive per-row Party.match +
Incident.objects.create + Source.objects.create on --sample rows.
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
from statistics import median

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


def timed_child(cmd, env, cwd=ROOT):
    """Run cmd; return (seconds, peak resident memory in MB of that process)."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.decode()}")
    return seconds, usage.ru_maxrss / 1024, out.decode()


def copy_floor(dsn, path):
    """COPY of the raw file into a bare table of text columns: what the database accepts at
    the most, with no index, no constraint and no parsing (a reference, not the target's floor)."""
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
        conn.execute("DROP TABLE bench_copy_floor")
    return seconds, count


WRITTEN_TABLES = ("incidents_incident", "incidents_source")


def empty_tables(dsn):
    """No incident, no source (nor anything hanging on them): a first import again."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE incidents_incident CASCADE")
        conn.execute("VACUUM ANALYZE incidents_incident, incidents_source")


def dump_written_rows(dsn, folder):
    """The rows the importer wrote (incidents and their sources), parsed, checked and matched,
    as binary COPY data in files: what the schema's write floor writes again."""
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cursor:
        counts = []
        for table in WRITTEN_TABLES:
            with open(Path(folder) / f"{table}.copy", "wb") as out:
                with cursor.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                    for data in copy:
                        out.write(data)
            counts.append(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    return counts


def schema_write_floor(dsn, folder):
    """Seconds of a binary COPY of the same already-parsed rows (and their sources) into the
    real tables, with their indexes, constraints and foreign keys, in one committed transaction:
    the schema's own write floor."""
    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        started = time.perf_counter()
        # As the importer writes (rows with their digests and sources together): the triggers
        # that clear a digest when another hand changes the sources leave them be.
        cursor.execute("SET LOCAL incidents.importing TO 'on'")
        for table in WRITTEN_TABLES:
            with open(Path(folder) / f"{table}.copy", "rb") as handle:
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
        conn.commit()  # the deferred foreign-key checks of the sources run here
        return time.perf_counter() - started


def read_and_parse(path):
    """What the importer does before it writes: read the file in blocks and parse, check and
    match every row, as `import_incidents` does on PostgreSQL (run with --read-and-parse)."""
    import types
    from collections import Counter

    import django

    django.setup()
    from imports.acled import AcledReader
    from imports.base import CsvStream
    from imports.blocks import Block, blocks
    from imports.services import _fast_path, _perpetrators, party_id_of, party_lookup

    lookup, unknown, rows = party_lookup(), Counter(), 0
    with open(path, "rb") as binary:
        stream = CsvStream(binary)
        reader = AcledReader(stream.header)
        fast = _fast_path(path, stream, reader, types.SimpleNamespace(takes_blocks=True))
        with fast:
            for item in blocks(fast, stream.header, first_line=2):
                if type(item) is Block:
                    records, others = reader.parse_block(item)
                    _perpetrators(records, lookup, unknown)
                    for position in others:
                        party_id_of(reader.parse(item.cells(position)).actor, lookup)
                    rows += len(item)
                else:
                    party_id_of(reader.parse(item[1]).actor, lookup)
                    rows += 1
    print(rows)


def import_export_peer(dsn, sample):
    """django-import-export (use_bulk) importing the same rows the importer wrote (incidents,
    then their sources, found by their incident's external id), as a Django user would set it
    up: ModelResources, batches of 1,000, no lookup of existing rows (all are new)."""
    import json

    import django

    django.setup()
    import tablib
    from import_export import fields, resources, widgets

    from incidents.models import Incident, Source

    columns = [
        f.name
        for f in Incident._meta.concrete_fields
        if f.name not in ("id", "created_by", "created_at", "updated_at", "import_digest")
    ]

    class IncidentResource(resources.ModelResource):
        class Meta:
            model = Incident
            fields = columns
            import_id_fields = ("source_dataset", "external_id")
            use_bulk = True
            batch_size = 1000
            force_init_instance = True
            skip_diff = True

    class SourceResource(resources.ModelResource):
        incident = fields.Field(
            attribute="incident",
            column_name="incident",
            widget=widgets.ForeignKeyWidget(Incident, "external_id"),
        )

        class Meta:
            model = Source
            fields = ("incident", "name", "url", "published_on", "reliability", "confidential", "notes")
            use_bulk = True
            batch_size = 1000
            force_init_instance = True
            skip_diff = True

    with psycopg.connect(dsn, autocommit=True) as conn:
        names = ", ".join("perpetrator_id" if c == "perpetrator" else c for c in columns)
        incidents = conn.execute(
            f"SELECT {names} FROM incidents_incident ORDER BY id LIMIT %s", [sample]
        ).fetchall()
        sources = conn.execute(
            "SELECT i.external_id, s.name, s.url, s.published_on, s.reliability, s.confidential, s.notes"
            " FROM incidents_source s JOIN incidents_incident i ON i.id = s.incident_id"
            " WHERE i.id IN (SELECT id FROM incidents_incident ORDER BY id LIMIT %s) ORDER BY s.id",
            [sample],
        ).fetchall()
    weapons = columns.index("weapons")
    incident_rows = tablib.Dataset(headers=columns)
    for row in incidents:
        row = list(row)
        row[weapons] = json.dumps(row[weapons])
        incident_rows.append(row)
    source_rows = tablib.Dataset(*sources, headers=list(SourceResource.Meta.fields))
    empty_tables(dsn)
    started = time.perf_counter()
    for resource, rows in ((IncidentResource(), incident_rows), (SourceResource(), source_rows)):
        result = resource.import_data(rows, dry_run=False, raise_errors=True, use_transactions=True)
        assert not result.has_errors() and not result.has_validation_errors()
    seconds = time.perf_counter() - started
    from django.db import connections

    connections.close_all()
    return seconds, len(incidents), len(sources)


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


def measure_round(args, env, path, folder, dsn, first):
    """One round, each path against its floor in the same round: the first import against a
    binary COPY of the rows it wrote into the same tables; the re-import against reading and
    parsing the file."""
    python = sys.executable
    command = [python, "manage.py", "import_incidents", str(path), "--format", "acled", "--no-progress"]
    empty_tables(dsn)
    got = {}
    got["import"] = timed_child(command, env)
    if first:
        counts = dump_written_rows(dsn, folder)
        print(f"written: {counts[0]:,} incidents, {counts[1]:,} sources", file=sys.stderr)
    if not args.no_reimport:
        got["reimport"] = timed_child(command, env)
        got["parse"] = timed_child([python, __file__, "--read-and-parse", str(path)], env)
    if args.baseline:
        # The same commands run from another checkout (the code before a change), same round.
        empty_tables(dsn)
        got["baseline import"] = timed_child(command, env, cwd=args.baseline)
        if not args.no_reimport:
            got["baseline reimport"] = timed_child(command, env, cwd=args.baseline)
    empty_tables(dsn)
    got["floor"] = (schema_write_floor(dsn, folder), None, "")
    print(
        ", ".join(
            f"{name} {seconds:.1f} s" + (f" ({peak:.0f} MB)" if peak else "")
            for name, (seconds, peak, _) in got.items()
        ),
        file=sys.stderr,
    )
    return got


def print_table(args, rounds, others):
    def med(name, k=0):
        return median(r[name][k] for r in rounds)

    def ratio(name, floor):
        return median(r[name][0] / r[floor][0] for r in rounds)

    n = args.rows
    print(
        f"\nImport benchmark: {n:,} ACLED rows, PostgreSQL, {os.cpu_count()} cores; median of {len(rounds)} "
        "round(s), each path against its floor measured in the same round\n"
    )
    print("| path | rows | seconds | rows/s | against its floor | peak memory |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| binary COPY of the same parsed rows and their sources into the real tables (the schema's write floor) "
        f"| {n:,} | {med('floor'):.1f} | {n / med('floor'):,.0f} | 100 % | |"
    )
    print(
        f"| importer (`import_incidents`), first import | {n:,} | {med('import'):.1f} | {n / med('import'):,.0f} "
        f"| {100 / ratio('import', 'floor'):.0f} % of the write floor | {med('import', 1):.0f} MB |"
    )
    if not args.no_reimport:
        print(
            f"| reading and parsing the file as the importer does (the re-import's floor) | {n:,} | {med('parse'):.1f} "
            f"| {n / med('parse'):,.0f} | | {med('parse', 1):.0f} MB |"
        )
        print(
            f"| importer again, same file (all unchanged) | {n:,} | {med('reimport'):.1f} "
            f"| {n / med('reimport'):,.0f} | {ratio('reimport', 'parse'):.2f}x reading and parsing "
            f"| {med('reimport', 1):.0f} MB |"
        )
    if args.baseline:
        print(
            f"| baseline ({args.baseline}): first import | {n:,} | {med('baseline import'):.1f} "
            f"| {n / med('baseline import'):,.0f} | {100 / ratio('baseline import', 'floor'):.0f} % of the write floor "
            f"| {med('baseline import', 1):.0f} MB |"
        )
        if not args.no_reimport:
            print(
                f"| baseline ({args.baseline}): same file again | {n:,} | {med('baseline reimport'):.1f} "
                f"| {n / med('baseline reimport'):,.0f} | {ratio('baseline reimport', 'parse'):.2f}x reading and parsing "
                f"| {med('baseline reimport', 1):.0f} MB |"
            )
    for label, rows, seconds in others:
        print(
            f"| {label} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {100 * rows / seconds / (n / med('floor')):.0f} % of the write floor | |"
        )
    for name, (_, _, out) in rounds[0].items():
        if out:
            print(f"\n{name}: {out.splitlines()[0]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds; the table gives medians")
    parser.add_argument("--sample", type=int, default=2000, help="rows for the naive per-row import")
    parser.add_argument("--peer-sample", type=int, default=20000, help="rows for django-import-export")
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--database", default="tracker_bench_import")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second (unchanged) import")
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="also time the importer of another checkout (A/B), in the same rounds",
    )
    parser.add_argument("--read-and-parse", metavar="FILE", help=argparse.SUPPRESS)  # the parse floor's child
    args = parser.parse_args()
    if args.read_and_parse:
        return read_and_parse(args.read_and_parse)

    dsn = server_dsn(args.server, args.database)
    env = {**os.environ, "DATABASE_URL": dsn, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    os.environ.update({"DATABASE_URL": dsn, "DJANGO_SETTINGS_MODULE": "config.settings.local"})
    python = sys.executable
    rounds, others = [], []
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
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
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
            for round_no in range(args.rounds):
                rounds.append(measure_round(args, env, path, folder, dsn, first=round_no == 0))
            seconds, count = copy_floor(dsn, path)
            assert count == args.rows, count
            others.append(
                (
                    "(reference) COPY of the raw file into a bare table of text columns, no index",
                    count,
                    seconds,
                )
            )
            if args.peer_sample:
                seconds, incidents, sources = import_export_peer(dsn, min(args.peer_sample, args.rows))
                others.append(
                    (
                        f"django-import-export 4 (`use_bulk`), the same rows ({incidents:,}-row sample, "
                        f"then their {sources:,} sources)",
                        incidents,
                        seconds,
                    )
                )
            empty_tables(dsn)
            seconds, done = naive(path, args.sample)
            others.append((f"naive per-row `objects.create` ({done:,}-row sample)", done, seconds))
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(server_dsn(args.server, "postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    print_table(args, rounds, others)


if __name__ == "__main__":
    main()
