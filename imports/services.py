"""Run one import: read and check every row, stage the good ones, merge them in one transaction.

    result = run_import(path, "acled", on_error="skip", dry_run=False, create_parties=False)

Guarantees: a bad row never stops the file from being read; every bad row is reported with its
line, column and reason; with on_error="abort" nothing is written if any row is bad; the merge
is one transaction, so no half-written batch ever remains; a dry run rolls the merge back and
so reports exact counts while writing nothing.

On PostgreSQL (whose staging takes blocks, see staging.py), a format whose reader has
`parse_block` (ACLED) is read in blocks by pyarrow, its rules applied a column at a time (see
blocks.py); the rows they reject go through the same per-row parser as on SQLite, so the errors
are the same on both paths.
"""

import codecs
import contextlib
import csv
import datetime as dt
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import PartyKind
from agreements.models import Party, PartyAlias
from core.csv import SafeWriter
from core.i18n import name_key
from incidents.choices import REVIEWED_STATUSES, ActorCase, ActorDecisionKind
from incidents.models import ActorDecision, Incident
from incidents.signals import incidents_bulk_changed

from .base import BadValue, CsvStream, ImportFileError, Record, RowError
from .blocks import Block, available, blocks, read_again
from .digests import StoredDigests, block_digests
from .direct import FirstImportWriter
from .staging import ActorCases, staging_for

SKIP, ABORT = "skip", "abort"
KEPT_ERRORS = 1000  # kept in memory for the summary; the full list goes to the error report file
# Blocks parsed on at most while a re-import's stored digests are read (see _Stager).
WAITING_BLOCKS = 32
STATE_ACTOR_PREFIXES = ("military forces of", "police forces of", "government of")
SOURCE_FIELDS = {
    # Source columns each format carries; the others are not compared (nor can they be restored).
    "acled": ("name",),
    "ucdp": ("name", "published_on", "notes"),
    "tracker": ("name", "url", "published_on", "notes", "reliability"),
}


@dataclass
class ImportResult:
    format: str
    dry_run: bool = False
    aborted: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)  # the first KEPT_ERRORS RowErrors
    error_report: str | None = None  # path of the CSV with every error (line, column, reason)
    unknown_actors: Counter = field(default_factory=Counter)  # named, matching no party
    unidentified_actors: Counter = field(default_factory=Counter)  # "the source does not know"
    parties_created: list = field(default_factory=list)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else 0.0

    def summary_lines(self) -> list[str]:
        counts = {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.dry_run:
            first = _(
                "%(rows)d rows read: %(created)d would be created, %(updated)d would be updated, "
                "%(unchanged)d unchanged, %(rejected)d rejected (dry run: nothing written)"
            )
        else:
            first = _(
                "%(rows)d rows read: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged, %(rejected)d rejected"
            )
        lines = [first % counts]
        if self.aborted:
            lines.append(_("Aborted: some rows are bad and --on-error is abort, so nothing was imported."))
        if self.unknown_actors:
            if self.parties_created:
                text = _("%(count)d named actors, created as new parties:")
            else:
                text = _(
                    "%(count)d named actors, no party matches: not counted until decided in actor triage "
                    "(%(url)s):"
                )
            url = reverse("admin:incidents_actordecision_triage")
            lines.append(text % {"count": len(self.unknown_actors), "url": url})
            lines += [f"  {count:>7}  {name}" for name, count in self.unknown_actors.most_common()]
        if self.unidentified_actors:
            lines.append(
                _("%(count)d rows with an unidentified actor.")
                % {"count": sum(self.unidentified_actors.values())}
            )
        return lines


class _Rollback(Exception):
    pass


class ErrorSink:
    """Every rejected row goes to a CSV file on disk; the first few stay in memory."""

    def __init__(self):
        self.count = 0
        self.kept = []
        self.handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", suffix="-import-errors.csv", delete=False
        )
        self.writer = SafeWriter(self.handle)
        self.writer.writerow(["line", "column", "reason"])

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.kept) < KEPT_ERRORS:
            self.kept.append(error)
        self.writer.writerow([error.line, error.column, error.reason])

    def close(self) -> str | None:
        """Close the report; returns its path, or None (and no file) if no row was rejected."""
        self.handle.close()
        if not self.count:
            os.unlink(self.handle.name)
            return None
        return self.handle.name


def party_lookup() -> dict[str, int]:
    """name_key(name, Arabic name or alias) -> party id, as Party.match resolves it (a name wins
    over an alias)."""
    lookup = {
        name_key(alias): party_id for alias, party_id in PartyAlias.objects.values_list("name", "party_id")
    }
    lookup.update((name_key(name), party_id) for name, party_id in Party.objects.values_list("name_ar", "id"))
    lookup.update((name_key(name), party_id) for name, party_id in Party.objects.values_list("name", "id"))
    lookup.pop("", None)
    return lookup


def party_id_of(actor: str, lookup: dict[str, int]) -> int | None:
    """The party an actor's name matches in a party_lookup(), or None (names are cut at 200
    characters, the longest a party or alias name can be, as create_parties_for does)."""
    return lookup.get(name_key(actor[:200])) if actor else None


def create_parties_for(actors: Iterable[str], dataset: str) -> dict[str, int]:
    """A new party per unknown actor, with the actor's name as an alias. Returns actor -> id."""
    created = {}
    for actor in sorted(actors):
        name = actor[:200]  # the longest name a party or an alias can have; matched the same way
        kind = PartyKind.STATE if name.lower().startswith(STATE_ACTOR_PREFIXES) else PartyKind.ARMED_GROUP
        party = Party.match(name) or Party.objects.create(
            name=name, kind=kind, description=f"Created by an import of {dataset} data."
        )
        if not PartyAlias.objects.filter(name__iexact=name).exists():
            PartyAlias.objects.create(party=party, name=name, dataset=dataset)
        created[actor] = party.id
    return created


def _fast_path(path, stream, reader, staging):
    """The file, opened and placed after its header, if the block path can read it: a staging
    that takes blocks (PostgreSQL's), a reader that has parse_block, UTF-8 and a header on one
    line. Else None."""
    if not (available() and staging.takes_blocks and hasattr(reader, "parse_block")):
        return None
    if stream.skip_row is not None:
        return None
    handle = open(path, "rb")
    head = handle.read(1 << 20)
    start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    end = head.find(b"\n", start) + 1
    line = head[start:end]
    try:
        header = next(csv.reader([line.decode("utf-8")])) if end and line.count(b'"') % 2 == 0 else None
    except (UnicodeDecodeError, csv.Error, StopIteration):
        header = None
    if header is None or [name.strip().lower() for name in header] != stream.header:
        handle.close()
        return None
    handle.seek(end)
    return handle


def unidentified_rule(reader) -> Callable[[str], bool]:
    """Whether an actor (without a party) stands for "the source does not know who did it": by
    the format's own rule (reader.unidentified_actor), or by an analyst's decision in triage."""
    decided = {
        name.lower()
        for name in ActorDecision.objects.filter(kind=ActorDecisionKind.UNIDENTIFIED).values_list(
            "name", flat=True
        )
    }
    return lambda actor: reader.unidentified_actor(actor) or actor[:200].lower() in decided


def unidentified_actors(actors: Iterable[str], reader) -> list[str]:
    """The actors (without a party) that stand for "the source does not know who did it" (see
    unidentified_rule)."""
    is_unidentified = unidentified_rule(reader)
    return [actor for actor in actors if is_unidentified(actor)]


def not_bound_actors(actors: Iterable[str]) -> set[str]:
    """The actors an analyst marked, in triage, as bound by no tracked agreement."""
    decided = {
        name.lower()
        for name in ActorDecision.objects.filter(kind=ActorDecisionKind.NOT_BOUND).values_list(
            "name", flat=True
        )
    }
    return {actor for actor in actors if actor[:200].lower() in decided}


def provided_fields(reader) -> tuple[str, ...]:
    """The incident fields a format writes: a format that gives the perpetrator gives the actor
    as named and its case too."""
    if "perpetrator_id" in reader.provided_fields:
        return (*reader.provided_fields, "actor_name", "actor_case")
    return reader.provided_fields


def _perpetrators(records, lookup, unknown):
    """(the party id of each distinct actor, each row's as text, null if none) for a
    BlockRecords; counts unknown actors."""
    import pyarrow as pa

    party_ids = [party_id_of(actor, lookup) for actor in records.actors]
    counts = np.bincount(records.actor_index, minlength=len(records.actors))
    for actor, party_id, count in zip(records.actors, party_ids, counts):
        if actor and party_id is None and count:
            unknown[actor] += int(count)
    return party_ids, pa.array([None if p is None else str(p) for p in party_ids], pa.string()).take(
        pa.array(records.actor_index)
    )


def may_create_parties(user: Any) -> bool:
    """An import does only what its user may do; the command (no user) is the server's operator."""
    return user is None or user.has_perm("agreements.add_party")


def rights_check(user: Any) -> Callable[[Record], None]:
    """A check of each parsed row against what `user` may write, raising BadValue: only those who
    may verify import incidents as verified, disputed or rejected (as in the admin and the API).
    Rows on the block path carry no status (ACLED), so the check is the row path's."""
    if user is None or user.has_perm("incidents.verify_incident"):
        return lambda record: None

    def check(record: Record) -> None:
        if record.fields.get("status") in REVIEWED_STATUSES:
            raise BadValue(
                "status", _("only analysts may import incidents as verified, disputed or rejected")
            )

    return check


class _Stager:
    """Parses what the file gives (rows, or blocks on the fast path), stages what passes and
    sends every bad row to the error sink.

    With `is_unidentified` (the rule of unidentified_rule), each block row gets its digest (see
    digests.py); with `stored` (a StoredDigests) too, the rows recognised unchanged are left
    out, and the rows repeating their ids are kept in `repeats` (line, id, first line). With
    `create_parties`, a row whose actor is unknown gets no digest (its party comes later).

    While the stored digests are being read, blocks are parsed on: of each, only its rows' ids,
    lines and digests are kept (`_waiting`, a few dozen bytes a row), and once the stored
    digests are read, a block some of whose rows must be staged is read from the file
    (`source`, the binary file blocks() reads) and parsed again."""

    def __init__(
        self,
        reader,
        staging,
        sink,
        unknown_actors,
        user=None,
        is_unidentified=None,
        stored=None,
        create_parties=False,
    ):
        self.reader = reader
        self.check_rights = rights_check(user)
        self.staging = staging
        self.sink = sink
        self.lookup = party_lookup()
        self.unknown_actors = unknown_actors
        self.local_ids = {}  # id -> (created_at, dataset, key) of rows naming an incident of their database
        # The case of an actor without a party, for the digests (None: no digests).
        self.case_of = None if is_unidentified is None else ActorCases(is_unidentified)
        self.stored = stored
        self.create_parties = create_parties
        self.repeats = []
        self.source = None
        self._waiting = []  # blocks parsed while the stored digests are read (see the class)
        self._source_hashes = {}  # see block_digests

    def has_digest(self, actor: str, party_id: int | None) -> bool:
        return (
            not self.create_parties or party_id is not None or self.case_of(actor) == ActorCase.UNIDENTIFIED
        )

    @property
    def recognised(self) -> int:
        """The rows recognised unchanged (neither staged nor compared)."""
        return self.stored.recognised if self.stored is not None else 0

    def stage(self, item):
        """Stage a Block or a (line, cells or RowError) item; returns the number of rows it holds."""
        if type(item) is Block:
            if self._may_wait(item):
                self._parse_while_stored_read(item)
            else:
                self.stage_waiting()
                self.stage_block(item)
            return len(item)
        self.stage_waiting()
        self.stage_row(*item)
        return 1

    def _may_wait(self, block):
        """Whether a block is parsed on while the stored digests are read (see the class)."""
        return (
            self.stored is not None
            and self.source is not None
            and block.span is not None
            and len(self._waiting) < WAITING_BLOCKS
            and not self.stored.ready()
        )

    def _parsed(self, block, unknown_actors):
        """(the BlockRecords of a block, the positions of its rows to read one by one, each
        row's party id as text, each row's digest or None); counts its unknown actors."""
        records, others = self.reader.parse_block(block)
        party_ids, perpetrator_ids = _perpetrators(records, self.lookup, unknown_actors)
        digests = None
        if self.case_of is not None:
            digests = block_digests(records, party_ids, self.case_of, self.has_digest, self._source_hashes)
        return records, others, perpetrator_ids, digests

    def _parse_while_stored_read(self, block):
        records, others, _, digests = self._parsed(block, self.unknown_actors)
        ids = records.values["external_id"]
        waiting = (block.span, block.table.num_columns, int(block.lines[0]), ids, records.lines, digests)
        self._waiting.append((*waiting, bool(len(others))))

    def stage_waiting(self) -> None:
        """Stage the blocks parsed while the stored digests were read (waiting for them)."""
        waiting, self._waiting = self._waiting, []
        for span, width, first_line, ids, lines, digests, had_others in waiting:
            stage, repeats = self.stored.sift(ids, lines, digests, may_skip=not had_others)
            self.repeats += repeats
            if stage.any() or had_others:  # read and parsed again (unknown actors were counted once)
                block = read_again(self.source, span, width, first_line)
                records, others = self.reader.parse_block(block)
                _, perpetrator_ids = _perpetrators(records, self.lookup, Counter())
                self._stage_sifted(block, records, others, perpetrator_ids, digests, stage)

    def stage_block(self, block):
        records, others, perpetrator_ids, digests = self._parsed(block, self.unknown_actors)
        stage = None
        if self.stored is not None and len(records):
            # Rows read one by one are among these (staged after them): none is left out (see sift).
            stage, repeats = self.stored.sift(
                records.values["external_id"], records.lines, digests, may_skip=not len(others)
            )
            self.repeats += repeats
        self._stage_sifted(block, records, others, perpetrator_ids, digests, stage)

    def _stage_sifted(self, block, records, others, perpetrator_ids, digests, stage):
        """Stage a block's rows that `stage` selects (None: all), then those read one by one."""
        if stage is not None and not stage.all():
            records, perpetrator_ids, digests = (
                records.take(stage),
                perpetrator_ids.filter(stage),
                digests[stage],
            )
        self.staging.add_block(records, perpetrator_ids, digests)
        for position in others:
            self.stage_row(int(block.lines[position]), block.cells(position))

    def stage_row(self, line, item):
        if type(item) is RowError:
            self.sink.add(item)
            return
        try:
            record = self.reader.parse(item)
            self.check_rights(record)
        except BadValue as exc:
            self.sink.add(RowError(line, exc.column, exc.reason))
            return
        if self.stored is not None and record.source_dataset == self.stored.dataset:
            repeat = self.stored.given_one_by_one(record.external_id, line)
            if repeat is not None:
                self.repeats.append(repeat)
                return
        actor = record.actor
        perpetrator_id = party_id_of(actor, self.lookup)
        if actor and perpetrator_id is None:
            self.unknown_actors[actor] += 1
        # Staged even after a bad row under "abort": the merge will not run, but
        # duplicate ids are found in the staging table, and reported too.
        self.staging.add(line, record, perpetrator_id)
        if record.local_id is not None:
            own_id, created_at = record.local_id
            self.local_ids[own_id] = (created_at, record.source_dataset, record.external_id)


class _Progress:
    """Calls progress(rows, bytes_read, bytes_total) at most every half second."""

    def __init__(self, progress, bytes_total, position):
        self.progress = progress
        self.bytes_total = bytes_total
        self.position = position
        self.last_report = time.monotonic()

    def report(self, rows):
        if time.monotonic() - self.last_report > 0.5:
            self.last_report = time.monotonic()
            self.progress(rows, self.position(), self.bytes_total)

    def done(self, rows):
        self.progress(rows, self.bytes_total, self.bytes_total)


def _stage_file(path, stream, stager, progress, batch_size):
    """Read the whole file into the staging tables, by blocks if it can; returns the rows read."""
    rows = 0
    fast = _fast_path(path, stream, stager.reader, stager.staging)
    with fast or contextlib.nullcontext():
        stager.source = fast
        reporter = _Progress(progress, os.path.getsize(path), fast.tell if fast else stream.position)
        for item in blocks(fast, stream.header, first_line=2) if fast else stream:
            rows += stager.stage(item)
            # Rows one by one: the clock is read once a batch only.
            if progress and (fast or rows % batch_size == 0):
                reporter.report(rows)
        stager.stage_waiting()
        stager.source = None
    stager.staging.flush()
    if progress:
        reporter.done(rows)
    return rows


def _reject_duplicates(staging, reader, sink, repeats=()):
    """Report the rows repeating an earlier row's id: those the staging found, and `repeats`
    (those repeating a row recognised unchanged, see _Stager), in the order of their lines."""
    for dup_line, external_id, first_line in sorted([*staging.duplicates(), *repeats]):
        sink.add(
            RowError(dup_line, reader.id_column, f"duplicate id {external_id!r} (first on line {first_line})")
        )


def run_import(
    path: str | os.PathLike,
    format: str,
    *,
    on_error: str = SKIP,
    dry_run: bool = False,
    create_parties: bool = False,
    user: Any = None,
    progress: Callable[[int, int, int], None] | None = None,
    using: str = DEFAULT_DB_ALIAS,
    batch_size: int = 10_000,
) -> ImportResult:
    """Import the CSV file at `path` in `format` (acled, ucdp, tracker). See the module docstring.

    `progress(rows, bytes_read, bytes_total)` is called every batch and at the end.
    Raises ImportFileError when the file as a whole cannot be read (nothing is written then).
    """
    from .formats import READERS

    if on_error not in (SKIP, ABORT):
        raise ValueError(f"on_error must be {SKIP!r} or {ABORT!r}")
    if create_parties and not may_create_parties(user):
        raise ImportFileError(
            _("creating parties needs the permission to add parties"), column="create_parties"
        )
    reader_class = READERS[format]
    result = ImportResult(format=format, dry_run=dry_run, started_at=timezone.now())
    connection = connections[using]
    sink = ErrorSink()
    try:
        with open(path, "rb") as binary:
            stream = CsvStream(binary, skip_row=reader_class.skip_row)
            reader = reader_class(stream.header)
            if _first_import(connection, using, reader, create_parties):
                _write_first_import(
                    path, stream, reader, result, sink, on_error, dry_run, user, using, progress, batch_size
                )
                return result
            with staging_for(connection, batch_size=batch_size) as staging:
                digests = _digests_kept(connection, reader)
                stager = _Stager(
                    reader,
                    staging,
                    sink,
                    result.unknown_actors,
                    user,
                    is_unidentified=unidentified_rule(reader) if digests else None,
                    create_parties=create_parties,
                )
                if digests:  # read while the first block is parsed (after the stager's own queries)
                    stager.stored = StoredDigests(connection, reader.dataset)
                result.rows = _stage_file(path, stream, stager, progress, batch_size)
                _reject_duplicates(staging, reader, sink, stager.repeats)
                result.rejected = sink.count
                if on_error == ABORT and sink.count:
                    result.aborted = True
                    return result
                result.created, result.updated, result.unchanged = _merge(
                    connection,
                    using,
                    staging,
                    reader,
                    result,
                    create_parties,
                    user,
                    dry_run,
                    stager.local_ids,
                )
                if not result.aborted:
                    result.unchanged += stager.recognised
    finally:
        result.errors = sink.kept
        result.error_report = sink.close()
        result.finished_at = timezone.now()
    return result


def _digests_kept(connection, reader):
    """Whether rows get digests (see digests.py): on PostgreSQL (whose triggers clear a digest
    that another hand made stale), for a format read in blocks."""
    return connection.vendor == "postgresql" and available() and hasattr(reader, "parse_block")


def _first_import(connection, using, reader, create_parties):
    """Whether the file can be written straight into the tables (see direct.py): on PostgreSQL,
    for a format read in blocks, no party to create at the end, and no incident of the dataset
    stored yet (so that every row is new)."""
    return (
        connection.vendor == "postgresql"
        and available()
        and hasattr(reader, "parse_block")
        and not create_parties
        and not Incident.objects.using(using)
        .filter(source_dataset=reader.dataset)
        .exclude(external_id="")
        .exists()
    )


def _write_first_import(
    path, stream, reader, result, sink, on_error, dry_run, user, using, progress, batch_size
):
    """Read, check and write every row in one transaction (see direct.py); then what _merge
    does after the merge."""
    connection = connections[using]
    try:
        with transaction.atomic(using=using):
            is_unidentified = unidentified_rule(reader)
            writer = FirstImportWriter(
                connection,
                reader.dataset,
                timezone.now(),
                getattr(user, "pk", None),
                is_unidentified,
                batch_size,
            )
            with writer:
                stager = _Stager(
                    reader, writer, sink, result.unknown_actors, user, is_unidentified=is_unidentified
                )
                result.rows = _stage_file(path, stream, stager, progress, batch_size)
                _reject_duplicates(writer, reader, sink)
            result.rejected = sink.count
            if on_error == ABORT and sink.count:
                result.aborted = True
                raise _Rollback
            for actor in [actor for actor in result.unknown_actors if is_unidentified(actor)]:
                result.unidentified_actors[actor] = result.unknown_actors.pop(actor)
            result.created = writer.written
            if dry_run:
                raise _Rollback
            if result.created:
                since, written = result.started_at, result.created
                transaction.on_commit(
                    lambda: incidents_bulk_changed.send(sender=Incident, updated_since=since, count=written),
                    using=using,
                )
    except _Rollback:
        pass


def _chunks(items, size=5000):
    return (items[start : start + size] for start in range(0, len(items), size))


def _claim_own_incidents(local_ids, using):
    """The hand-entered incidents of this database that the file lists by id and created_at.

    `local_ids` maps an id to (created_at, the row's dataset, its key `<id>@<created_at>`). For
    the merge, inside its transaction, each such incident takes the row's identity, so it is
    updated (or found unchanged) rather than copied; _release_own_incidents gives it back its
    own. An identity that already belongs to another incident is left to that one. Returns
    [(id, original source_dataset)].
    """
    incidents = Incident.objects.using(using)
    own = []
    for chunk in _chunks(list(local_ids)):
        hand_entered = incidents.filter(pk__in=chunk, external_id="").only(
            "pk", "created_at", "source_dataset"
        )
        for incident in hand_entered:
            created_at, dataset, key = local_ids[incident.pk]
            if incident.created_at == created_at:
                own.append((incident, dataset, key))
    taken = set()
    for chunk in _chunks([key for _incident, _dataset, key in own]):
        taken.update(incidents.filter(external_id__in=chunk).values_list("source_dataset", "external_id"))
    own = [(incident, dataset, key) for incident, dataset, key in own if (dataset, key) not in taken]
    originals = [(incident.pk, incident.source_dataset) for incident, _dataset, _key in own]
    for incident, dataset, key in own:
        incident.source_dataset, incident.external_id = dataset, key
    claimed = [incident for incident, _dataset, _key in own]
    incidents.bulk_update(claimed, ["source_dataset", "external_id"], batch_size=5000)
    return originals


def _release_own_incidents(originals, using):
    restored = [Incident(pk=pk, source_dataset=dataset, external_id="") for pk, dataset in originals]
    Incident.objects.using(using).bulk_update(restored, ["source_dataset", "external_id"], batch_size=5000)


def _merge(connection, using, staging, reader, result, create_parties, user, dry_run, local_ids):
    counts = (0, 0, 0)
    try:
        with transaction.atomic(using=using):
            own = _claim_own_incidents(local_ids, using)
            for actor in unidentified_actors(list(result.unknown_actors), reader):
                result.unidentified_actors[actor] = result.unknown_actors.pop(actor)
            if create_parties and result.unknown_actors:
                # Never a party for a name an analyst marked as bound by no tracked agreement.
                not_bound = not_bound_actors(result.unknown_actors)
                created = create_parties_for(
                    [actor for actor in result.unknown_actors if actor not in not_bound], reader.dataset
                )
                result.parties_created = sorted(created)
                staging.set_perpetrators(created)
            staging.set_actors(result.unidentified_actors)
            counts = staging.merge(
                provided_fields(reader),
                SOURCE_FIELDS[reader.format],
                timezone.now(),
                getattr(user, "pk", None),
            )
            _release_own_incidents(own, using)
            if dry_run:
                raise _Rollback
            written = counts[0] + counts[1]
            if written:
                since = result.started_at
                transaction.on_commit(
                    lambda: incidents_bulk_changed.send(sender=Incident, updated_since=since, count=written),
                    using=using,
                )
    except _Rollback:
        pass
    return counts
