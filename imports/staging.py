"""Stage parsed rows in temporary tables, then merge them into incidents set-wise.

Staging happens outside the final transaction (temporary tables are private to the
connection), so a bad row found late costs nothing: with --on-error abort the staged rows are
simply dropped. The merge runs inside the caller's transaction, so it is all or nothing.

`staging_for(connection)` is the one place that looks at the database: the SQL that differs
lives in the two implementations of `Staging`.

- PostgresStaging stages with COPY (whole blocks of the fast path too, see add_block) and
  merges in one statement (see _upsert): a plain INSERT for new rows, an UPDATE of the stored
  rows that differ, and the sources replaced from the rows written.
- SqliteStaging (also what any other database gets) stages with executemany, runs INSERT ...
  ON CONFLICT (source_dataset, external_id) DO UPDATE ... WHERE the row differs, then replaces
  the sources of the rows it wrote.
"""

import contextlib
import datetime as dt
import json
import operator
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Self

import numpy as np
from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from incidents.choices import ActorCase
from incidents.models import CASUALTY_FIELDS, Incident, Source

from .base import Record
from .blocks import BlockRecords, copy_nulls, copy_payload, copy_text

if TYPE_CHECKING:  # pyarrow is optional (see blocks.available)
    import pyarrow as pa

# Incident columns the staging table holds (besides line, source_dataset, external_id, actor).
DATA_COLUMNS = (
    "occurred_at",
    "date_precision",
    "occurred_until",
    "place_name",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "location_precision",
    "category",
    "perpetrator_id",
    "actor_name",
    "actor_case",
    "target_type",
    "weapons",
    *CASUALTY_FIELDS,
    "description",
    "status",
)
DEFAULTS = {
    "occurred_at": None,
    "category": "",
    "occurred_until": None,
    "place_name": "",
    "admin1": "",
    "admin2": "",
    "latitude": None,
    "longitude": None,
    "date_precision": "day",
    "location_precision": "exact",
    "perpetrator_id": None,
    "actor_name": None,  # the actor as named; None: the staged actor (see set_actors)
    "actor_case": "unidentified",
    "target_type": "",
    "weapons": [],
    "killed_civilians": 0,
    "killed_combatants": 0,
    "killed_unknown": 0,
    "injured_civilians": 0,
    "injured_combatants": 0,
    "injured_unknown": 0,
    "description": "",
    "status": "draft",
}
PG_TYPES = {
    "published_on": "date",
    "occurred_at": "timestamptz",
    "occurred_until": "timestamptz",
    "latitude": "double precision",
    "longitude": "double precision",
    "perpetrator_id": "bigint",
    "weapons": "jsonb",
    "digest": "bigint",
}
_data_values = operator.itemgetter(*DATA_COLUMNS)
COUNT_COLUMNS = {c for c in DATA_COLUMNS if c.startswith(("killed_", "injured_"))}
STAGE = "import_stage"
STAGE_SOURCES = "import_stage_source"
SOURCE_COLUMNS = ("name", "url", "published_on", "notes")
STAGE_COLUMNS = ("line", "source_dataset", "external_id", "actor", *DATA_COLUMNS, "n_sources")
# Blocks give each row's digest too (see digests.py); rows read one by one have none.
BLOCK_COLUMNS = (*STAGE_COLUMNS, "digest")
STAGE_SOURCE_COLUMNS = ("line", "position", *SOURCE_COLUMNS)
# Rows read one by one may give a source's reliability; blocks leave it to the column's default.
ROW_SOURCE_COLUMNS = (*STAGE_SOURCE_COLUMNS, "reliability")
UNRATED = "F"  # SourceReliability.F: cannot be judged
# Block columns that may hold any text; the others hold numbers, dates or codes (see BlockRecords).
# (add_block escapes the actor itself, once per distinct actor.)
FREE_TEXT = {"source_dataset", "external_id", "place_name", "admin1", "admin2", "description"}
EMPTY_JSON_LIST = "[]"


def copy_value(value):
    """A default value as COPY text."""
    if value is None:
        return "\\N"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


class ActorCases:
    """The case of an actor without a party, as set_actors decides it: unidentified when the
    actor is empty or `is_unidentified(actor)`, else named; the rule asked once an actor."""

    def __init__(self, is_unidentified: Callable[[str], bool]) -> None:
        self.is_unidentified = is_unidentified
        self._cases = {}

    def __call__(self, actor: str) -> str:
        case = self._cases.get(actor)
        if case is None:
            unidentified = actor == "" or bool(self.is_unidentified(actor))
            case = self._cases[actor] = ActorCase.UNIDENTIFIED if unidentified else ActorCase.NAMED
        return case


def digest_text(digests: np.ndarray) -> "pa.Array":
    """Digests (0: none) as COPY text."""
    import pyarrow as pa

    return copy_nulls(pa.array(digests, mask=digests == 0).cast(pa.string()))


def block_sources(records: BlockRecords, counts: np.ndarray, row_counts: np.ndarray) -> tuple:
    """A BlockRecords' sources as rows: (each source's row in the block, its position in the
    row's list, and the columns name, url, published_on and notes as COPY text).
    `counts`: the number of entries of each distinct list; `row_counts`: of each row's."""
    import pyarrow as pa

    total = int(row_counts.sum())
    # Source row k belongs to row owner[k], and is entry position[k] of its list.
    owner = np.repeat(np.arange(len(records)), row_counts)
    position = np.arange(total) - np.repeat(np.cumsum(row_counts) - row_counts, row_counts)
    if not total:
        return owner, position, []
    starts = np.cumsum(counts) - counts
    entry = pa.array(starts[records.source_index][owner] + position)
    flat = [item for entries in records.sources for item in entries or ()]

    def field(index, text=lambda value: value):
        return copy_text(pa.array([text(item[index]) for item in flat], pa.string())).take(entry)

    return (
        owner,
        position,
        [field(0), field(1), field(2, lambda day: day.isoformat() if day else None), field(3)],
    )


def staging_for(connection: BaseDatabaseWrapper, batch_size: int = 10_000) -> "Staging":
    """The staging for `connection`'s database: PostgreSQL's, or the portable one."""
    staging_class = PostgresStaging if connection.vendor == "postgresql" else SqliteStaging
    return staging_class(connection, batch_size=batch_size)


class Staging:
    """Temporary tables for one import on one connection. Use as a context manager.

    What differs between databases is left to the subclasses (see staging_for)."""

    takes_blocks = False  # add_block: the fast path's BlockRecords (see blocks.py)

    def __init__(self, connection: BaseDatabaseWrapper, batch_size: int = 10_000):
        self.connection = connection
        self.batch_size = batch_size
        self.rows = []
        self.source_rows = []
        self.staged = 0
        self.incident_table = connection.ops.quote_name(Incident._meta.db_table)
        self.source_table = connection.ops.quote_name(Source._meta.db_table)

    # --- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> Self:
        columns = ("line", "source_dataset", "external_id", "actor", *DATA_COLUMNS)
        definition = ", ".join(f"{name} {self._column_type(name)}{self._default(name)}" for name in columns)
        with self.connection.cursor() as cursor:
            self._drop(cursor)
            self._prepare_session(cursor)
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGE} ({definition}, n_sources integer NOT NULL DEFAULT 0,"
                f" digest {self._column_type('digest')})"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGE_SOURCES} (line integer, position integer, name text, "
                f"url text, published_on {self._column_type('published_on')}, notes text,"
                f" reliability text NOT NULL DEFAULT '{UNRATED}')"
            )
        return self

    def _column_type(self, name):
        return "integer" if name == "line" or name in COUNT_COLUMNS else ""

    def _default(self, name):
        return ""

    def _prepare_session(self, cursor):
        pass

    def __exit__(self, *exc):
        try:
            self.wait()
        except Exception:
            if exc[0] is None:
                raise
        finally:
            self._stop_sending()
        self.rows.clear()
        self.source_rows.clear()
        if self.connection.connection is None:
            return
        if self.connection.needs_rollback or self._transaction_failed():
            return  # the caller's transaction is rolling back; temporary tables go with it or the session
        with self.connection.cursor() as cursor:
            self._drop(cursor)

    def _stop_sending(self):
        pass

    def _transaction_failed(self):
        return False

    def _drop(self, cursor):
        for table in (STAGE, STAGE_SOURCES, "import_match", "import_resourced"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    # --- loading ----------------------------------------------------------------------------
    def add(self, line: int, record: Record, perpetrator_id: int | None) -> None:
        """Stage one parsed row (sent every batch_size rows)."""
        fields = {**DEFAULTS, **record.fields, "perpetrator_id": perpetrator_id}
        weapons = fields["weapons"]
        fields["weapons"] = json.dumps(weapons) if weapons else EMPTY_JSON_LIST
        self.rows.append(
            [
                line,
                record.source_dataset,
                record.external_id,
                record.actor,
                *_data_values(fields),
                len(record.sources),
            ]
        )
        for position, (name, url, published_on, notes, *rated) in enumerate(record.sources):
            reliability = rated[0] if rated and rated[0] else UNRATED
            self.source_rows.append((line, position, name, url, published_on, notes, reliability))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def add_block(
        self, records: BlockRecords, perpetrator_ids: "pa.Array", digests: np.ndarray | None = None
    ) -> None:
        """Stage a block's rows: only a staging whose takes_blocks is true can."""
        raise NotImplementedError(f"{type(self).__name__} stages rows, not blocks (see takes_blocks)")

    def wait(self) -> None:
        """Until what is being sent is staged (nothing is sent in the background here)."""

    def flush(self) -> None:
        """Send the rows added since the last flush."""
        self.wait()
        if not self.rows:
            return
        with self.connection.cursor() as cursor:
            self._write_rows(cursor)
        self.staged += len(self.rows)
        self.rows.clear()
        self.source_rows.clear()

    def _write_rows(self, cursor):
        raise NotImplementedError

    # --- checks before the merge --------------------------------------------------------------
    def duplicates(self) -> list[tuple[int, str, int]]:
        """(line, external_id, first line) of every row whose id already came earlier in the
        file; those rows are taken out of the staging tables."""
        self.flush()
        with self._planned(), self.connection.cursor() as cursor:
            self._index_lines(cursor)
            cursor.execute(
                f"SELECT s.line, s.external_id, f.first_line FROM {STAGE} s JOIN ("
                f" SELECT source_dataset, external_id, min(line) AS first_line FROM {STAGE}"
                f" GROUP BY source_dataset, external_id HAVING count(*) > 1"
                f") f ON f.source_dataset = s.source_dataset AND f.external_id = s.external_id"
                f" WHERE s.line <> f.first_line ORDER BY s.line"
            )
            found = cursor.fetchall()
            if found:
                self._delete_lines(cursor, [line for line, _, _ in found])
        return found

    def _index_lines(self, cursor):
        pass

    def _delete_lines(self, cursor, lines):
        raise NotImplementedError

    @contextlib.contextmanager
    def _planned(self):
        """A transaction (a savepoint inside the merge's) for large set-wise statements."""
        with transaction.atomic(using=self.connection.alias):
            self._tune_for_set_wise_statements()
            yield

    def _tune_for_set_wise_statements(self):
        pass

    # --- the merge (inside the caller's transaction) -------------------------------------------
    def set_perpetrators(self, party_ids_by_actor: dict[str, int]) -> None:
        """Give rows whose actor had no party yet the parties just created for them."""
        if not party_ids_by_actor:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX import_stage_actor ON {STAGE} (actor)")
            cursor.executemany(
                # The digest described the row without its new party.
                f"UPDATE {STAGE} SET perpetrator_id = %s, digest = NULL WHERE actor = %s AND perpetrator_id IS NULL",
                [(party_id, actor) for actor, party_id in party_ids_by_actor.items()],
            )

    def set_actors(self, unidentified: Iterable[str]) -> None:
        """Each row's actor as named (unless the reader gave it: the staged actor, cut to the
        field's length) and its case: registered if it has a party, unidentified if it is empty or in `unidentified`, else named.
        One pass over the staging table, whatever the number of names (a statement a name
        would read the whole table each time)."""
        max_length = Incident._meta.get_field("actor_name").max_length
        one_of, names = self._one_of("actor", sorted(unidentified))
        case = f"CASE WHEN perpetrator_id IS NOT NULL THEN %s WHEN actor = '' OR {one_of} THEN %s ELSE %s END"
        decided = [ActorCase.REGISTERED, names, ActorCase.UNIDENTIFIED, ActorCase.NAMED]
        with self.connection.cursor() as cursor:
            # Only the rows whose staged name or case (see add_block) is not already the decision.
            cursor.execute(
                f"UPDATE {STAGE} SET actor_name = COALESCE(actor_name, substr(actor, 1, %s)), actor_case = {case}"
                f" WHERE actor_name IS NULL OR NOT ({self._same('actor_case', case)})",
                [max_length, *decided, *decided],
            )

    def _one_of(self, column: str, values: list[str]) -> tuple[str, object]:
        """(SQL: `column` is one of the values given as its one parameter, that parameter)."""
        raise NotImplementedError

    def merge(
        self,
        provided_fields: Iterable[str],
        source_fields: Iterable[str],
        now: dt.datetime,
        user_id: int | None,
    ) -> tuple[int, int, int]:
        """Upsert the staged rows and replace the sources of those written. Returns
        (created, updated, unchanged). A row counts as updated if one of the columns the format
        provides, or one of its (non-confidential) sources, differs from what is stored."""
        updated_columns = [c for c in DATA_COLUMNS if c in provided_fields]
        with self._planned(), self.connection.cursor() as cursor:
            self._find_changed_sources(cursor, source_fields, updated_columns)
            created, updated = self._upsert(cursor, updated_columns, now, user_id)
        return created, updated, self.staged_count() - created - updated

    def _find_changed_sources(self, cursor, source_fields, updated_columns):
        """import_match: the staged rows stored already (line, incident_id, n_sources, and what
        _matched_columns adds); import_resourced: ids of stored incidents whose sources differ
        from the staged ones: another number of (non-confidential) sources, or a staged one no
        stored one matches."""
        stage = STAGE
        cursor.execute(
            f"CREATE TEMPORARY TABLE import_match AS SELECT {stage}.line, i.id AS incident_id, {stage}.n_sources"
            f"{self._matched_columns(updated_columns)}"
            f" FROM {stage} JOIN {self.incident_table} i ON i.source_dataset = {stage}.source_dataset"
            f" AND i.external_id = {stage}.external_id AND NOT (i.external_id = '')"
        )
        cursor.execute("CREATE INDEX import_match_line ON import_match (line)")
        self._analyze(cursor, "import_match")
        source_match = " AND ".join(self._same(f"s.{c}", f"ss.{c}") for c in source_fields)
        cursor.execute(f"CREATE TEMPORARY TABLE import_resourced AS {self._resourced_sql(source_match)}")

    def _analyze(self, cursor, table):
        """Give the planner the row counts of a table just filled."""

    def _matched_columns(self, updated_columns):
        """More columns of import_match (SQL, each after a comma), computed in the same join."""
        return ""

    def _resourced_sql(self, source_match):
        """The SELECT of import_resourced's ids (`source_match`: a stored source s is the staged ss)."""
        raise NotImplementedError

    def _upsert(self, cursor, updated_columns, now, user_id):
        """Write the staged rows (and their sources): returns (created, updated)."""
        raise NotImplementedError

    def _same(self, left, right):
        """SQL: left equals right, NULL equal to NULL."""
        raise NotImplementedError

    def staged_count(self) -> int:
        """The rows in the staging table."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {STAGE}")
            return cursor.fetchone()[0]


class PostgresStaging(Staging):
    """COPY into typed temporary tables; the fast path's blocks too; the merge in one statement."""

    def __init__(self, connection: BaseDatabaseWrapper, batch_size: int = 10_000):
        super().__init__(connection, batch_size=batch_size)
        self._writer = None  # the thread that sends blocks (see add_block)
        self._sending = None

    takes_blocks = True

    def _column_type(self, name):
        return super()._column_type(name) or PG_TYPES.get(name, "text")

    def _default(self, name):
        # Blocks leave out the columns their format does not fill (see add_block).
        value = DEFAULTS.get(name)
        if value is None:
            return ""
        return f" DEFAULT {value}" if isinstance(value, int) else f" DEFAULT '{copy_value(value)}'"

    def _prepare_session(self, cursor):
        """Keep the staging tables in memory (the default 8 MB spills to disk). PostgreSQL
        refuses the change once the session has used a temporary table: then keep the default."""
        try:
            with transaction.atomic(using=self.connection.alias):
                cursor.execute("SET temp_buffers TO '256MB'")
        except DatabaseError:
            pass

    def _stop_sending(self):
        if self._writer is not None:
            self._writer.shutdown()

    def _transaction_failed(self):
        from psycopg.pq import TransactionStatus

        return self.connection.connection.info.transaction_status == TransactionStatus.INERROR

    def add_block(
        self, records: BlockRecords, perpetrator_ids: "pa.Array", digests: np.ndarray | None = None
    ) -> None:
        """Stage a BlockRecords with COPY text built a column at a time.
        `perpetrator_ids`: each row's party id, as a pyarrow string array (null: none);
        `digests`: each row's digest (0: none, see digests.py)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        rows = len(records)
        if not rows:
            return
        values = dict(records.values)  # the columns it does not fill take the table's defaults (DEFAULTS)
        counts = np.array([len(entries or ()) for entries in records.sources], dtype=np.int64)
        row_counts = counts[records.source_index]
        actor_index = pa.array(records.actor_index)
        values.update(
            line=pa.array(records.lines).cast(pa.string()),
            actor=copy_text(pa.array(records.actors, pa.string())).take(actor_index),
            perpetrator_id=perpetrator_ids,
            n_sources=pa.array(row_counts).cast(pa.string()),
        )
        if "actor_name" not in values and "actor_case" not in values:
            # The actor as named and a first guess of its case (registered with a party, else
            # unidentified, the commonest): set_actors then rewrites only the rows it decides otherwise.
            max_length = Incident._meta.get_field("actor_name").max_length
            as_named = pa.array([actor[:max_length] for actor in records.actors], pa.string())
            values["actor_name"] = copy_text(as_named).take(actor_index)
            values["actor_case"] = pc.if_else(
                pc.is_valid(perpetrator_ids), str(ActorCase.REGISTERED), str(ActorCase.UNIDENTIFIED)
            )
        if digests is not None:
            values["digest"] = digest_text(digests)
        names = [name for name in BLOCK_COLUMNS if name in values]
        columns = [
            value if isinstance(value, str) else copy_text(value) if name in FREE_TEXT else copy_nulls(value)
            for name, value in zip(names, map(values.get, names))
        ]
        payloads = [(STAGE, names, copy_payload(columns, rows))]
        owner, position, fields = block_sources(records, counts, row_counts)
        if len(owner):
            source_columns = [
                pa.array(records.lines[owner]).cast(pa.string()),
                pa.array(position).cast(pa.string()),
                *fields,
            ]
            payloads.append((STAGE_SOURCES, STAGE_SOURCE_COLUMNS, copy_payload(source_columns, len(owner))))
        self._send(payloads)
        self.staged += rows

    def _send(self, payloads):
        """COPY the payloads on a thread of their own: the server reads one block while the
        next is parsed. One block at a time is in flight, so memory stays flat."""
        self.wait()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
        raw = self.connection.connection  # psycopg's connection: thread-safe, one operation at a time

        def send():
            with raw.cursor() as cursor:
                for table, columns, payload in payloads:
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        copy.write(payload)

        self._sending = self._writer.submit(send)

    def wait(self) -> None:
        """Until the block in flight is staged; raises what sending it raised."""
        sending, self._sending = self._sending, None
        if sending is not None:
            with self.connection.wrap_database_errors:  # Django's exceptions, as the ORM's
                sending.result()

    def _write_rows(self, cursor):
        self._copy(cursor, STAGE, STAGE_COLUMNS, self.rows)
        self._copy(cursor, STAGE_SOURCES, ROW_SOURCE_COLUMNS, self.source_rows)

    @staticmethod
    def _copy(cursor, table, columns, rows):
        if not rows:
            return
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _delete_lines(self, cursor, lines):
        cursor.execute(f"DELETE FROM {STAGE} WHERE line = ANY(%s)", [lines])
        cursor.execute(f"DELETE FROM {STAGE_SOURCES} WHERE line = ANY(%s)", [lines])

    def _tune_for_set_wise_statements(self):
        """JIT compiling these statements costs more than it saves (most of a second each),
        their sorts and hashes want memory, and the planner wants row counts of the staging tables."""
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit TO OFF")
            cursor.execute("SET LOCAL work_mem TO '256MB'")
            cursor.execute("SET LOCAL default_statistics_target TO 10")
            cursor.execute(f"ANALYZE {STAGE}, {STAGE_SOURCES}")

    def _analyze(self, cursor, table):
        cursor.execute(f"ANALYZE {table}")

    def _matched_columns(self, updated_columns):
        # Whether the row differs, found in the join that matches it: the merge then reads and
        # writes only the rows that changed.
        return (
            f", ({', '.join(f'i.{c}' for c in updated_columns)}) IS DISTINCT FROM"
            f" ({', '.join(f'{STAGE}.{c}' for c in updated_columns)}) AS differs,"
            f" i.import_digest IS DISTINCT FROM {STAGE}.digest AS restamp"
        )

    def _resourced_sql(self, source_match):
        # Two set-wise joins (correlated subqueries run once a row).
        return (
            f"SELECT m.incident_id FROM import_match m"
            f" LEFT JOIN (SELECT s.incident_id, count(*) AS n FROM {self.source_table} s"
            f"  JOIN import_match sm ON sm.incident_id = s.incident_id WHERE NOT s.confidential"
            f"  GROUP BY s.incident_id) st ON st.incident_id = m.incident_id"
            f" WHERE m.n_sources <> coalesce(st.n, 0)"
            f" UNION SELECT m.incident_id FROM import_match m JOIN {STAGE_SOURCES} ss ON ss.line = m.line"
            f" WHERE NOT EXISTS (SELECT 1 FROM {self.source_table} s WHERE s.incident_id = m.incident_id"
            f"  AND NOT s.confidential AND {source_match})"
        )

    def _upsert(self, cursor, updated_columns, now, user_id):
        """One statement. Rows not stored yet go in by a plain INSERT; stored ones are updated
        (by id, found in import_match) where they differ. From the rows written, the old sources
        of updated incidents are deleted and the staged sources inserted (sibling CTEs see the
        same snapshot, so never each other). A row inserted by someone else meanwhile makes the
        statement fail whole: run it again."""
        # Losing the last transaction in a crash only means running the (idempotent) import again.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # The sources replaced here belong to rows written with their new digest: the triggers
        # that clear a digest when sources change (migration incidents 0012) leave them be.
        cursor.execute("SET LOCAL incidents.importing TO 'on'")
        incident, source, stage = self.incident_table, self.source_table, STAGE
        insert_columns = ", ".join(("source_dataset", "external_id", *DATA_COLUMNS))
        differs = "(m.differs OR m.incident_id IN (SELECT incident_id FROM import_resourced))"
        matched = f"EXISTS (SELECT 1 FROM import_match m WHERE m.line = {stage}.line)"
        cursor.execute(
            f"WITH fresh AS (INSERT INTO {incident}"
            f"  ({insert_columns}, created_at, updated_at, created_by_id, import_digest)"
            f"  SELECT {insert_columns}, %s, %s, %s, digest FROM {stage} WHERE NOT {matched}"
            f"  RETURNING id, source_dataset, external_id),"
            f" up AS (UPDATE {incident} i SET {', '.join(f'{c} = s.{c}' for c in updated_columns)}, updated_at = %s,"
            f"  import_digest = s.digest"
            f"  FROM import_match m JOIN {stage} s ON s.line = m.line WHERE i.id = m.incident_id AND {differs}"
            f"  RETURNING i.id, s.line),"
            # A row found unchanged takes the digest of what it was compared with (it had none,
            # or another one): the next import of it recognises it without comparing.
            f" stamped AS (UPDATE {incident} i SET import_digest = s.digest"
            f"  FROM import_match m JOIN {stage} s ON s.line = m.line"
            f"  WHERE i.id = m.incident_id AND m.restamp AND NOT {differs}),"
            f" written AS (SELECT fresh.id, {stage}.line, true AS inserted FROM fresh JOIN {stage}"
            f"  ON {stage}.source_dataset = fresh.source_dataset AND {stage}.external_id = fresh.external_id"
            f"  UNION ALL SELECT id, line, false FROM up),"
            f" gone AS (DELETE FROM {source} old USING up WHERE old.incident_id = up.id AND NOT old.confidential),"
            f" added AS (INSERT INTO {source} (incident_id, name, url, published_on, reliability, confidential, notes)"
            f"  SELECT written.id, ss.name, ss.url, ss.published_on, ss.reliability, false, ss.notes FROM written"
            f"  JOIN {STAGE_SOURCES} ss ON ss.line = written.line ORDER BY ss.line, ss.position)"
            f" SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written",
            [now, now, user_id, now],
        )
        return cursor.fetchone()

    def _same(self, left, right):
        return f"{left} IS NOT DISTINCT FROM {right}"

    def _one_of(self, column, values):
        return f"{column} = ANY(%s)", values


class SqliteStaging(Staging):
    """executemany into untyped temporary tables, and INSERT ... ON CONFLICT for the merge: the
    path of SQLite (and of any database but PostgreSQL)."""

    def _write_rows(self, cursor):
        self._insert_many(cursor, STAGE, STAGE_COLUMNS, self._rows_with_adapted_datetimes())
        self._insert_many(
            cursor,
            STAGE_SOURCES,
            ROW_SOURCE_COLUMNS,
            (
                (line, position, name, url, published_on.isoformat() if published_on else None, notes, rated)
                for line, position, name, url, published_on, notes, rated in self.source_rows
            ),
        )

    @staticmethod
    def _insert_many(cursor, table, columns, rows):
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows))

    def _rows_with_adapted_datetimes(self):
        adapt = self.connection.ops.adapt_datetimefield_value
        at, until = STAGE_COLUMNS.index("occurred_at"), STAGE_COLUMNS.index("occurred_until")
        for row in self.rows:
            row[at] = adapt(row[at])
            row[until] = adapt(row[until])
            yield row

    def _index_lines(self, cursor):
        # The merge looks staged rows up by line.
        cursor.execute(f"CREATE INDEX import_stage_line ON {STAGE} (line)")
        cursor.execute(f"CREATE INDEX import_stage_source_line ON {STAGE_SOURCES} (line)")

    def _delete_lines(self, cursor, lines):
        lines = [(line,) for line in lines]
        cursor.executemany(f"DELETE FROM {STAGE} WHERE line = %s", lines)
        cursor.executemany(f"DELETE FROM {STAGE_SOURCES} WHERE line = %s", lines)

    def _resourced_sql(self, source_match):
        return (
            f"SELECT m.incident_id FROM import_match m WHERE"
            f" m.n_sources <> (SELECT count(*) FROM {self.source_table} s"
            f"   WHERE s.incident_id = m.incident_id AND NOT s.confidential)"
            f" OR EXISTS (SELECT 1 FROM {STAGE_SOURCES} ss WHERE ss.line = m.line AND NOT EXISTS ("
            f"   SELECT 1 FROM {self.source_table} s WHERE s.incident_id = m.incident_id"
            f"   AND NOT s.confidential AND {source_match}))"
        )

    def _upsert_sql(self, updated_columns, differs, where="true"):
        insert_columns = ("source_dataset", "external_id", *DATA_COLUMNS)
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in updated_columns)
        return (
            f"INSERT INTO {self.incident_table} ({', '.join(insert_columns)}, created_at, updated_at, created_by_id)"
            f" SELECT {', '.join(insert_columns)}, %s, %s, %s FROM {STAGE} WHERE {where}"
            f" ON CONFLICT (source_dataset, external_id) WHERE NOT (external_id = '')"
            f" DO UPDATE SET {assignments}, updated_at = EXCLUDED.updated_at"
            f" WHERE {differs} OR {self.incident_table}.id IN (SELECT incident_id FROM import_resourced)"
        )

    def _upsert(self, cursor, updated_columns, now, user_id):
        """INSERT ... ON CONFLICT DO UPDATE where the row differs; the rows it wrote are found
        again by their updated_at, for their sources."""
        incident, stage, same = self.incident_table, STAGE, self._same
        stamp = self.connection.ops.adapt_datetimefield_value(now)
        differs = (
            "("
            + " OR ".join(f"NOT ({same(f'{incident}.{c}', f'EXCLUDED.{c}')})" for c in updated_columns)
            + ")"
        )
        cursor.execute(self._upsert_sql(updated_columns, differs), [stamp, stamp, user_id])
        written = cursor.rowcount
        cursor.execute("SELECT count(*) FROM import_match")
        created = self.staged_count() - cursor.fetchone()[0]
        cursor.execute(
            f"DELETE FROM {self.source_table} WHERE NOT confidential AND incident_id IN ("
            f" SELECT m.incident_id FROM import_match m JOIN {incident} i ON i.id = m.incident_id"
            f" WHERE i.updated_at = %s)",
            [stamp],
        )
        cursor.execute(
            f"INSERT INTO {self.source_table} (incident_id, name, url, published_on, reliability,"
            f" confidential, notes)"
            f" SELECT i.id, ss.name, ss.url, ss.published_on, ss.reliability, false, ss.notes"
            f" FROM {STAGE_SOURCES} ss JOIN {stage} ON {stage}.line = ss.line"
            f" JOIN {incident} i ON i.source_dataset = {stage}.source_dataset"
            f" AND i.external_id = {stage}.external_id AND NOT (i.external_id = '')"
            f" WHERE i.updated_at = %s ORDER BY ss.line, ss.position",
            [stamp],
        )
        return created, written - created

    def _same(self, left, right):
        return f"{left} IS {right}"

    def _one_of(self, column, values):
        return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(values)
