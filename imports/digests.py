"""Each imported row's digest, and the recognition of the rows a re-import finds unchanged.

A row's digest is a 64-bit hash of what an import writes for it: its identity, every staged
incident column as COPY text (the actor's party, name and case as the merge decides them), and
its sources. The importer stores it with the row (Incident.import_digest); on PostgreSQL the
triggers of migration incidents 0012 clear it as soon as anything else changes the row's
imported columns or its sources. So a row of a re-imported file whose digest is the one stored is
exactly what the merge would find unchanged: it is counted as unchanged and neither staged nor
compared, and the stored row is not touched.

Digests are computed a block at a time with numpy (hashing.py), so they must not change
between processes or versions: the same row always gets the same digest. Changing what goes into
a digest, or how (DIGEST_VERSION), only makes the stored digests stop matching once: the next
import stages and compares those rows as it would without digests, and writes each one's new
digest (the merge stamps a row it finds unchanged with the digest it compared), so the import
after it recognises them again.

Only rows of the block path (blocks.py) get a digest; the rows read one by one are staged and
compared as always.
"""

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from django.db.backends.base.base import BaseDatabaseWrapper

from incidents.choices import ActorCase
from incidents.models import Incident

from .blocks import BlockRecords
from .hashing import STEP, mix, padded_hashes, padding, value_hashes
from .staging import DATA_COLUMNS, DEFAULTS, copy_value

if TYPE_CHECKING:  # pyarrow is optional (see blocks.available)
    import pyarrow as pa

DIGEST_VERSION = 2  # 1: BLAKE2b of each row's text (until December 2026); 2: hashing.py
READ_IDS = 100_000  # the range of incident ids StoredDigests reads at a time
SEPARATOR = "\x00\x00"
NULL_MARK = "\x00N"
ACTOR_COLUMNS = ("perpetrator_id", "actor_name", "actor_case")
ROW_COLUMNS = ("source_dataset", "external_id", *(c for c in DATA_COLUMNS if c not in ACTOR_COLUMNS))
# What the hash of a row's actor and of its sources are shifted by before they are mixed into its
# digest (so that the two parts never stand for each other).
ACTOR_PART, SOURCES_PART = (np.uint64(n * int(STEP) % 2**64) for n in (2, 3))


def _framed(value: object) -> str:
    """A value as digest text: its length and itself (so that no two rows' texts join alike), or
    N for null."""
    if value is None:
        return "N"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"{len(text.encode())}:{text}"


def block_digests(
    records: BlockRecords,
    party_ids: list,
    case_of: Callable[[str], str],
    has_digest: Callable[[str, int | None], bool] = lambda actor, party_id: True,
    source_hashes: dict | None = None,
) -> np.ndarray:
    """The digest of each row of a BlockRecords (int64; 0 where `has_digest(actor, party_id)` is
    false). `party_ids`: the party of each distinct actor (None: none); `case_of(actor)`: the
    case of an actor without a party, as the merge decides it; `source_hashes`: a dict that keeps
    the hash of each distinct source list from block to block.

    A row's digest mixes three hashes (hashing.py): of its column values joined by two NULs (a
    null: NUL and N; no value of a block holds a NUL, since blocks.py leaves a part of the file
    with one to the per-row path, so no two rows' texts join alike), of its actor's party, name
    and case, and of its sources; the last two are hashed once per distinct actor and source
    list. What is the same for every row of the block (defaults, the dataset, DIGEST_VERSION)
    is hashed once, into the sum."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = len(records)
    if not rows:
        return np.empty(0, dtype=np.int64)
    max_length = Incident._meta.get_field("actor_name").max_length
    columns, layout = [], [DIGEST_VERSION]
    for name in (*ROW_COLUMNS, "actor_name", "actor_case"):
        value = records.values.get(name, DEFAULTS.get(name) if name in ROW_COLUMNS else "")
        if isinstance(value, pa.Array):
            columns.append(pc.fill_null(value, NULL_MARK) if value.null_count else value)
            layout.append(name)
        else:  # one value for every row: a default, or a column the reader gives as one value
            layout.append((name, _framed(copy_value(value) if isinstance(value, list) else value)))
    # The row's text: its columns, joined and padded to whole words in one pass.
    lengths = len(SEPARATOR) * len(columns) + sum(
        pc.binary_length(column).to_numpy(zero_copy_only=False).astype(np.int64) for column in columns
    )
    pad = padding(pa.array(lengths), pa.string())
    digests = padded_hashes(pc.binary_join_element_wise(*columns, pad, SEPARATOR), lengths)
    # The actor's party, name and case (unless the reader gives them), once per distinct actor.
    actor_parts = []
    for actor, party_id in zip(records.actors, party_ids):
        case = ActorCase.REGISTERED if party_id is not None else case_of(actor)
        name = "" if "actor_name" in records.values else _framed(actor[:max_length])
        actor_parts.append(f"{_framed(party_id)}{name}{_framed(case)}")
    digests += _part_hashes(actor_parts, ACTOR_PART)[records.actor_index]
    digests += _source_hashes(records, {} if source_hashes is None else source_hashes)[records.source_index]
    shared = hashlib.blake2b(repr(layout).encode(), digest_size=8).digest()
    digests += np.frombuffer(shared, dtype="<u8")
    digests = mix(digests).view(np.int64)
    digests[digests == 0] = 1  # 0 stands for no digest
    withheld = [
        n
        for n, (actor, party_id) in enumerate(zip(records.actors, party_ids))
        if not has_digest(actor, party_id)
    ]
    if withheld:
        digests[np.isin(records.actor_index, withheld)] = 0
    return digests


def _part_hashes(texts, part):
    """The hash of each text (a distinct actor's or source list's), shifted by `part` and mixed."""
    import pyarrow as pa

    hashes = value_hashes(pa.array(texts, pa.string()))
    hashes += part
    return mix(hashes)


def _source_hashes(records, cache):
    """The hash of each distinct source list of a BlockRecords (see _part_hashes), computed once
    per list (kept in `cache`)."""
    keys = [tuple(entries or ()) for entries in records.sources]
    missing = list(dict.fromkeys(key for key in keys if key not in cache))
    if missing:
        texts = [
            _framed(len(key)) + "".join(_framed(value) for entry in key for value in entry) for key in missing
        ]
        computed = dict(zip(missing, _part_hashes(texts, SOURCES_PART).tolist()))
    else:
        computed = {}
    if len(cache) < 100_000:
        cache.update(computed)
    return np.array([cache[key] if key in cache else computed[key] for key in keys], dtype=np.uint64)


class StoredDigests:
    """The digests stored for one dataset's rows, looked up by a hash of each row's id (kept in
    sorted arrays: 8 bytes an id and its digest, a few flags), and what the file said of each:
    whether a row of that id came already, and whether it was recognised unchanged (not staged).

    Ids whose hashes collide among the stored ones are left out: their rows are always staged."""

    def __init__(self, connection: BaseDatabaseWrapper, dataset: str):
        self.connection = connection
        self.dataset = dataset
        self.recognised = 0
        # Read on a thread of its own while the first block is parsed (the file's first lookup waits).
        connection.ensure_connection()
        self._reading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-digests")
        self._read_keys = self._reading.submit(self._read)
        self._reading.shutdown(wait=False)

    def _ready(self):
        """Until the stored digests are read and sorted."""
        if self._read_keys is None:
            return
        self.keys, self.digests = self._read_keys.result()
        self._read_keys = None
        self.given = np.zeros(len(self.keys), dtype=bool)  # a row of this id came already
        self.unchanged = np.zeros(len(self.keys), dtype=bool)  # ...and was recognised unchanged
        self.first_lines = np.zeros(len(self.keys), dtype=np.int64)

    def _read(self):
        """The hashes of the stored ids, sorted, but those shared by several ids, and their digests."""
        parts = self._read_ranges()
        keys = np.concatenate([keys for keys, _digests in parts])
        digests = np.concatenate([digests for _keys, digests in parts])
        del parts
        order = np.argsort(keys)
        keys = keys[order]
        digests = digests[order]
        del order
        shared = np.zeros(len(keys), dtype=bool)
        shared[1:] = keys[1:] == keys[:-1]
        shared[:-1] |= shared[1:]
        if shared.any():
            keys, digests = keys[~shared], digests[~shared]
        return keys, digests

    def _read_ranges(self):
        """[(the hash of each stored id, its digest)], a range of ids at a time, each range as two
        byte strings (the ids' UTF-8 bytes, each followed by a NUL, which no text holds; the
        digests) that numpy and pyarrow read as they are: no Python object an id."""
        import psycopg
        import pyarrow as pa
        import pyarrow.compute as pc

        table = self.connection.ops.quote_name(Incident._meta.db_table)
        parts = [(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64))]
        # psycopg's connection (thread-safe, one operation at a time); Django's cursors are
        # client-side, so text only.
        with psycopg.Cursor(self.connection.connection) as cursor:
            cursor.execute(f"SELECT min(id), max(id) FROM {table}")
            first, last = cursor.fetchone()
            for start in range(first or 0, (last or -1) + 1, READ_IDS):
                cursor.execute(
                    "SELECT string_agg(convert_to(external_id, 'UTF8') || '\\x00'::bytea, ''::bytea),"
                    f" string_agg(int8send(import_digest), ''::bytea) FROM {table}"
                    " WHERE source_dataset = %s AND external_id <> '' AND import_digest IS NOT NULL"
                    " AND id >= %s AND id < %s",
                    [self.dataset, start, start + READ_IDS],
                    binary=True,
                )
                id_bytes, stored = cursor.fetchone()
                if id_bytes is None:
                    continue
                ends = np.flatnonzero(np.frombuffer(id_bytes, dtype=np.uint8) == 0) + 1
                offsets = np.concatenate([np.zeros(1, dtype=np.int32), ends.astype(np.int32)])
                with_nuls = pa.Array.from_buffers(
                    pa.binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(id_bytes)]
                )
                keys = _id_hashes(pc.binary_slice(with_nuls, 0, -1).cast(pa.string()))
                parts.append((keys, np.frombuffer(stored, dtype=">i8").astype(np.int64)))
        return parts

    def ready(self) -> bool:
        """Whether the stored digests are read (looking them up will not wait)."""
        return self._read_keys is None or self._read_keys.done()

    def __len__(self) -> int:
        self._ready()
        return len(self.keys)

    def _entries(self, ids):
        """Each id's entry (-1: none), for a pyarrow array of ids."""
        self._ready()
        if not len(self.keys):
            return np.full(len(ids), -1, dtype=np.int64)
        hashes = _id_hashes(ids)
        order = np.argsort(hashes)  # sorted, each search starts where the last one ended
        at = np.empty(len(hashes), dtype=np.int64)
        at[order] = np.minimum(np.searchsorted(self.keys, hashes[order]), len(self.keys) - 1)
        return np.where(self.keys[at] == hashes, at, -1)

    def sift(
        self, ids: "pa.Array", lines: np.ndarray, digests: np.ndarray, may_skip: bool = True
    ) -> tuple[np.ndarray, list]:
        """For a block's rows (ids as a pyarrow array, lines in order, digests; 0: none): (a bool
        per row: to be staged, [(line, id, first line)] of the rows that repeat the id of a row
        recognised unchanged). A row is recognised unchanged (neither) when its digest is the
        stored one and its id comes for the first time."""
        entries = self._entries(ids)
        stage = np.ones(len(ids), dtype=bool)
        repeats = []
        hit = np.flatnonzero(entries >= 0)
        if not len(hit):
            return stage, repeats
        hit_entries = entries[hit]
        _, first = np.unique(hit_entries, return_index=True)
        first_in_block = np.zeros(len(hit), dtype=bool)
        first_in_block[first] = True
        # The first row of each id in this block, for an id not given before.
        new = first_in_block & ~self.given[hit_entries]
        new_rows, new_entries = hit[new], hit_entries[new]
        same = (digests[new_rows] != 0) & (digests[new_rows] == self.digests[new_entries]) & may_skip
        self.given[new_entries] = True
        self.unchanged[new_entries] = same
        self.first_lines[new_entries] = lines[new_rows]
        stage[new_rows[same]] = False
        self.recognised += int(same.sum())
        # The other rows of an id: a repeat of a row not staged is reported here (the staging
        # cannot see it); a repeat of a staged row is staged, and the staging reports it.
        later = ~new
        later_rows, later_entries = hit[later], hit_entries[later]
        repeat = self.unchanged[later_entries]
        if not repeat.any():
            return stage, repeats
        rows, entries = later_rows[repeat], later_entries[repeat]
        suspects = list(zip(ids.take(rows).to_pylist(), rows.tolist(), entries.tolist()))
        confirmed = self._confirmed({key for key, _row, _entry in suspects})
        for key, row, entry in suspects:
            if key in confirmed:
                stage[row] = False
                repeats.append((int(lines[row]), key, int(self.first_lines[entry])))
        return stage, repeats

    def given_one_by_one(self, external_id: str, line: int) -> tuple[int, str, int] | None:
        """A row read one by one: (line, id, first line) if it repeats a row recognised unchanged
        (then it is not staged), else None (it is staged)."""
        import pyarrow as pa

        (entry,) = self._entries(pa.array([external_id], pa.string())).tolist()
        if entry < 0:
            return None
        if self.given[entry]:
            if self.unchanged[entry] and self._confirmed({external_id}):
                return (line, external_id, int(self.first_lines[entry]))
            return None
        self.given[entry] = True
        return None

    def _confirmed(self, ids):
        """The ids (whose hashes are those of stored ids) that are stored ids indeed."""
        table = self.connection.ops.quote_name(Incident._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_id FROM {table} WHERE source_dataset = %s AND external_id = ANY(%s)",
                [self.dataset, list(ids)],
            )
            return {key for (key,) in cursor.fetchall()}


_id_hashes = value_hashes  # a 64-bit hash of each id of a pyarrow array (a test gives colliding ones)
