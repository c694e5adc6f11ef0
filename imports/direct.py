"""A dataset's first import, written straight into the incident and source tables (PostgreSQL).

When no incident of the file's dataset is stored yet, every row of the file is new: there is
nothing to match or compare, so the rows need no staging table and no merge. Each block (and the
rows read one by one) goes into the real tables by COPY, its ids drawn from the table's
sequence, on a thread of its own while the next block is parsed, inside the import's one
transaction: a bad row under --on-error abort, a dry run or any failure rolls it all back, as the
merge of the staged rows would. The rows get what the merge would give them: the actor as named,
its case decided as set_actors decides it, the same defaults, timestamps and sources.

Duplicate ids are found before a block is written: within the block by its ids, against the
earlier blocks by a 64-bit hash of each id kept in sorted arrays (12 bytes an id), a hash seen
before being confirmed by looking the id up among the rows written (a collision of two distinct
ids is kept apart, so the first line reported is always the id's own). They are reported after
the file, as the staging path reports them.
"""

import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Self

import numpy as np
from django.db.backends.base.base import BaseDatabaseWrapper

from incidents.choices import ActorCase
from incidents.models import Incident, Source

from .base import Record
from .blocks import BlockRecords, copy_nulls, copy_payload, copy_text
from .staging import (
    DATA_COLUMNS,
    DEFAULTS,
    EMPTY_JSON_LIST,
    FREE_TEXT,
    UNRATED,
    ActorCases,
    block_sources,
    copy_value,
    digest_text,
)

if TYPE_CHECKING:
    import pyarrow as pa

INCIDENT_COLUMNS = (
    "id",
    "source_dataset",
    "external_id",
    *DATA_COLUMNS,
    "created_at",
    "updated_at",
    "created_by_id",
    "import_digest",
)
LAST_LINE = np.iinfo(np.int32).max  # _SeenIds keeps lines in 4 bytes
POOL = 20_000  # incident ids drawn ahead: a few blocks' worth
# (A column of one value last: see copy_payload.)
SOURCE_COLUMNS = ("incident_id", "name", "url", "published_on", "notes", "reliability", "confidential")


class FirstImportWriter:
    """Takes what a _Stager gives a staging (add, add_block, flush) and writes it to the tables.
    Use as a context manager, inside the import's transaction."""

    takes_blocks = True

    def __init__(
        self,
        connection: BaseDatabaseWrapper,
        dataset: str,
        now: dt.datetime,
        user_id: int | None,
        is_unidentified: Callable[[str], bool],
        batch_size: int = 10_000,
    ):
        self.connection = connection
        self.dataset = dataset
        self.batch_size = batch_size
        self._case = ActorCases(is_unidentified)
        self.constants = {
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "created_by_id": "\\N" if user_id is None else str(user_id),
        }
        self.row_constants = (now, now, user_id, None)  # rows read one by one have no digest
        self.incident_table = connection.ops.quote_name(Incident._meta.db_table)
        self.source_table = connection.ops.quote_name(Source._meta.db_table)
        self.actor_max_length = Incident._meta.get_field("actor_name").max_length
        self.written = 0
        self.found = []  # (line, external_id, first line) of the duplicates
        self._block = None  # the block waiting for the rows read one by one among its lines
        self._rows = []
        self._seen = _SeenIds()
        self._thread = None
        self._sending = None
        self._sequence = None
        self._pool = np.empty(0, dtype=np.int64)  # incident ids drawn ahead, in order

    # --- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> Self:
        with self.connection.cursor() as cursor:
            # Losing the last transaction in a crash only means running the import again.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # The rows are written with their digests and sources together (migration incidents 0012).
            cursor.execute("SET LOCAL incidents.importing TO 'on'")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Incident._meta.db_table])
            self._sequence = cursor.fetchone()[0]
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-write")
        return self

    def __exit__(self, *exc):
        try:
            self.wait()
        except Exception:
            if exc[0] is None:
                raise
        finally:
            self._thread.shutdown()

    # --- what the stager gives ---------------------------------------------------------------
    def add(self, line: int, record: Record, perpetrator_id: int | None) -> None:
        """A row read one by one (written with the block whose lines it is among, if any)."""
        if record.local_id is not None or record.source_dataset != self.dataset:
            raise ValueError("a first import writes rows of its own dataset that name no incident")
        self._rows.append((line, record, perpetrator_id))
        if len(self._rows) >= self.batch_size:
            self.flush()

    def add_block(
        self, records: BlockRecords, perpetrator_ids: "pa.Array", digests: np.ndarray | None = None
    ) -> None:
        """A block's rows; `perpetrator_ids`: each row's party id as text (null: none);
        `digests`: each row's digest (0: none, see digests.py)."""
        self.flush()
        if records.values["source_dataset"] != self.dataset:
            raise ValueError("a first import writes rows of its own dataset")
        if digests is None:
            digests = np.zeros(len(records), dtype=np.int64)
        self._block = (records, perpetrator_ids, digests)

    def flush(self) -> None:
        """Write what was given since the last flush (but its duplicates) in the background."""
        block, rows = self._block, self._rows
        self._block, self._rows = None, []
        if block is None and not rows:
            return
        block_keep, rows = self._without_duplicates(block, rows)
        payload = None
        if block is not None:
            records, perpetrator_ids, digests = block
            if not block_keep.all():
                records, perpetrator_ids = records.take(block_keep), perpetrator_ids.filter(block_keep)
                digests = digests[block_keep]
            if len(records):
                payload = self._block_payload(records, perpetrator_ids, digests)
        row_values = [self._row_values(*row) for row in rows]
        if payload is not None or row_values:
            self._send(payload, row_values)

    def wait(self) -> None:
        """Until what is being written is written; raises what writing it raised."""
        sending, self._sending = self._sending, None
        if sending is not None:
            # Django's exceptions, as the ORM raises them (a lost connection is an
            # OperationalError, which an upload's job retries: imports.jobs).
            with self.connection.wrap_database_errors:
                drawn = sending.result()
            if drawn is not None:
                self._pool = np.concatenate([self._pool, drawn])

    def duplicates(self) -> list[tuple[int, str, int]]:
        """(line, external_id, first line) of every row whose id came earlier in the file (not
        written), in the order of their lines."""
        self.flush()
        self.wait()
        return sorted(self.found)

    # --- duplicates ----------------------------------------------------------------------------
    def _without_duplicates(self, block, rows):
        """(a bool per block row: not a duplicate, the rows that are not) for one flush."""
        block_ids = block[0].values["external_id"].to_pylist() if block is not None else []
        block_lines = block[0].lines.tolist() if block is not None else []
        ids = block_ids + [record.external_id for _line, record, _party in rows]
        lines = block_lines + [line for line, _record, _party in rows]
        first = self._earlier(set(ids))
        earlier = set(first)
        duplicate = np.zeros(len(ids), dtype=bool)
        for position in sorted(range(len(ids)), key=lines.__getitem__):
            key = ids[position]
            if key in first:
                self.found.append((lines[position], key, first[key]))
                duplicate[position] = True
            else:
                first[key] = lines[position]
        self._seen.add({key: line for key, line in first.items() if key not in earlier})
        kept_rows = [row for row, dropped in zip(rows, duplicate[len(block_ids) :]) if not dropped]
        return ~duplicate[: len(block_ids)], kept_rows

    def _earlier(self, keys):
        """key -> first line, for the keys given in an earlier flush."""
        first, candidates = self._seen.lookup(keys)
        if candidates:
            self.wait()  # the earlier blocks are in the table
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT external_id FROM {self.incident_table} WHERE source_dataset = %s"
                    f" AND external_id = ANY(%s)",
                    [self.dataset, list(candidates)],
                )
                stored = {key for (key,) in cursor.fetchall()}
            first.update((key, line) for key, line in candidates.items() if key in stored)
        return first

    # --- what is written -----------------------------------------------------------------------
    def _block_payload(self, records, perpetrator_ids, digests):
        """(rows, incident columns but the id, source count, each source's row, its columns) as
        COPY text, with what set_actors and the staging defaults would give."""
        import pyarrow as pa
        import pyarrow.compute as pc

        values = dict(records.values)
        actor_index = pa.array(records.actor_index)
        if "actor_name" not in values:
            as_named = pa.array([actor[: self.actor_max_length] for actor in records.actors], pa.string())
            values["actor_name"] = copy_text(as_named).take(actor_index)
        unregistered = pa.array([str(self._case(actor)) for actor in records.actors], pa.string())
        values["actor_case"] = pc.if_else(
            pc.is_valid(perpetrator_ids), str(ActorCase.REGISTERED), unregistered.take(actor_index)
        )
        values["perpetrator_id"] = perpetrator_ids
        values["import_digest"] = digest_text(digests)
        values.update(self.constants)
        columns = []
        for name in INCIDENT_COLUMNS[1:]:
            value = values[name] if name in values else copy_value(DEFAULTS[name])
            if not isinstance(value, str):
                value = copy_text(value) if name in FREE_TEXT else copy_nulls(value)
            columns.append(value)
        counts = np.array([len(entries or ()) for entries in records.sources], dtype=np.int64)
        owner, _position, fields = block_sources(records, counts, counts[records.source_index])
        name, url, published_on, notes = fields or [None] * 4
        source_columns = [name, url, published_on, notes, UNRATED, "f"]
        return len(records), columns, owner, source_columns

    def _row_values(self, line, record, perpetrator_id):
        """(the incident's values but the id, its sources' values but the incident) for write_row."""
        fields = {**DEFAULTS, **record.fields, "perpetrator_id": perpetrator_id}
        fields["weapons"] = json.dumps(fields["weapons"]) if fields["weapons"] else EMPTY_JSON_LIST
        if fields["actor_name"] is None:
            fields["actor_name"] = record.actor[: self.actor_max_length]
        fields["actor_case"] = (
            ActorCase.REGISTERED if perpetrator_id is not None else self._case(record.actor)
        )
        incident = (
            record.source_dataset,
            record.external_id,
            *(fields[name] for name in DATA_COLUMNS),
            *self.row_constants,
        )
        sources = [
            (name, url, published_on, notes, rated[0] if rated and rated[0] else UNRATED, False)
            for name, url, published_on, notes, *rated in record.sources
        ]
        return incident, sources

    def _ids(self, count):
        """`count` incident ids, in order, from those drawn ahead (drawing more if they run short)."""
        if len(self._pool) < count:
            self.wait()  # what the thread drew meanwhile joins the pool
        if len(self._pool) < count:
            with self.connection.connection.cursor() as cursor:
                self._pool = np.concatenate([self._pool, self._draw(cursor, count - len(self._pool) + POOL)])
        ids, self._pool = self._pool[:count], self._pool[count:]
        return ids

    def _draw(self, cursor, count):
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, count])
        return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64, count=count)

    def _send(self, payload, row_values):
        """COPY a flush on the writer thread, so that the next block is parsed meanwhile; one
        flush in flight at a time, so memory stays flat. The thread then draws the ids of the
        flushes to come (the connection is free then), so that the COPY text is built here."""
        import pyarrow as pa

        rows = (payload[0] if payload is not None else 0) + len(row_values)
        ids = self._ids(rows)
        incident_data = source_data = None
        if payload is not None:
            block_rows, columns, owner, source_columns = payload
            id_text = pa.array(ids[:block_rows]).cast(pa.string())
            incident_data = copy_payload([id_text, *columns], block_rows)
            if len(owner):
                incident_ids = pa.array(ids[owner]).cast(pa.string())
                source_data = copy_payload([incident_ids, *source_columns], len(owner))
        row_ids = ids[rows - len(row_values) :].tolist()
        draw_more = len(self._pool) < POOL
        self.wait()
        raw = self.connection.connection  # psycopg's connection: thread-safe, one operation at a time
        incident_sql = f"COPY {self.incident_table} ({', '.join(INCIDENT_COLUMNS)}) FROM STDIN"
        source_sql = f"COPY {self.source_table} ({', '.join(SOURCE_COLUMNS)}) FROM STDIN"

        def send():
            with raw.cursor() as cursor:
                with cursor.copy(incident_sql) as copy:
                    if incident_data is not None:
                        copy.write(incident_data)
                    for incident_id, (incident, _sources) in zip(row_ids, row_values):
                        copy.write_row((incident_id, *incident))
                with cursor.copy(source_sql) as copy:
                    if source_data is not None:
                        copy.write(source_data)
                    for incident_id, (_incident, sources) in zip(row_ids, row_values):
                        for source in sources:
                            copy.write_row((incident_id, *source))
                return self._draw(cursor, POOL) if draw_more else None

        if self._thread is None:
            raise RuntimeError("use FirstImportWriter as a context manager")
        self._sending = self._thread.submit(send)
        self.written += rows


class _SeenIds:
    """The ids of the earlier flushes as 64-bit hashes with each id's first line (12 bytes an
    id), sorted, in 64 runs by the hash's top bits (so that adding a flush's ids copies a 64th
    of them, not all); two distinct ids of one hash are kept apart, exactly (`collided`)."""

    RUNS = 64

    def __init__(self):
        self.hashes = [np.empty(0, dtype=np.int64) for _ in range(self.RUNS)]
        self.lines = [np.empty(0, dtype=np.int32) for _ in range(self.RUNS)]
        self.collided = {}

    def _runs(self, hashes):
        """(run, start, end) of each run's part of `hashes` (sorted)."""
        bounds = np.searchsorted((hashes >> 58) + self.RUNS // 2, np.arange(self.RUNS + 1))
        return [
            (run, int(bounds[run]), int(bounds[run + 1]))
            for run in range(self.RUNS)
            if bounds[run] < bounds[run + 1]
        ]

    def lookup(self, keys):
        """({key: first line} of the keys known exactly, {key: first line} of those whose hash
        was seen: the same id, or (rarely) another of the same hash)."""
        known = {key: self.collided[key] for key in keys if key in self.collided}
        keys = [key for key in keys if key not in known]
        hashes = np.fromiter(map(_hash, keys), dtype=np.int64, count=len(keys))
        order = np.argsort(hashes)
        hashes = hashes[order]
        seen = {}
        for run, start, end in self._runs(hashes):
            stored = self.hashes[run]
            if not len(stored):
                continue
            at = np.minimum(np.searchsorted(stored, hashes[start:end]), len(stored) - 1)
            for n in np.flatnonzero(stored[at] == hashes[start:end]).tolist():
                seen[keys[order[start + n]]] = int(self.lines[run][at[n]])
        return known, seen

    def add(self, first_lines):
        """Remember new ids (none known before) with their first lines."""
        keys = list(first_lines)
        hashes = np.fromiter(map(_hash, keys), dtype=np.int64, count=len(keys))
        order = np.argsort(hashes, kind="stable")
        hashes = hashes[order]
        lines = np.fromiter(first_lines.values(), dtype=np.int64, count=len(keys))[order]
        if len(lines) and lines.max() > LAST_LINE:
            raise ValueError(f"a first import reads at most {LAST_LINE} lines")
        lines = lines.astype(np.int32)
        # A hash taken already (by an earlier id or one of these): that id is kept exactly.
        taken = np.zeros(len(keys), dtype=bool)
        taken[1:] = hashes[1:] == hashes[:-1]
        for run, start, end in self._runs(hashes):
            stored = self.hashes[run]
            if len(stored):
                at = np.minimum(np.searchsorted(stored, hashes[start:end]), len(stored) - 1)
                taken[start:end] |= stored[at] == hashes[start:end]
        for n in np.flatnonzero(taken).tolist():
            key = keys[order[n]]
            self.collided[key] = first_lines[key]
        hashes, lines = hashes[~taken], lines[~taken]
        for run, start, end in self._runs(hashes):
            at = np.searchsorted(self.hashes[run], hashes[start:end])
            self.hashes[run] = np.insert(self.hashes[run], at, hashes[start:end])
            self.lines[run] = np.insert(self.lines[run], at, lines[start:end])


_hash = hash  # a 64-bit hash of an id, the same within a process (a test gives colliding ones)
