"""The ORM side of the compliance engine. Every function is idempotent and returns counts.

Safe on several workers at once: new violations are inserted with ON CONFLICT DO NOTHING on
the (incident, clause) unique constraint, and every state change is a compare-and-set
(`filter(status=old).update(...)`), so the final state depends only on the data, never on how
many scans ran, in which order, or whether one was killed half-way.

What differs between PostgreSQL and SQLite (how rows are read and inserted) lives in
tracker.store; the pure decisions live in tracker.rules.
"""

import contextlib
import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import DeadlineStatus
from agreements.geometry import buffered_km
from agreements.models import Clause, Deadline
from core.exceptions import StateConflict
from incidents.choices import IncidentStatus
from incidents.models import Incident

from . import events, rules
from .choices import JobKind, JobStatus, ViolationStatus
from .models import JobRun, Violation
from .store import WRITE_BATCH, EngineStore, ViolationRow, store_for

# Incidents whose time may be imprecise by up to a year still overlap a window that ended then.
LONGEST_WINDOW = dt.timedelta(days=366)


# --- Runs ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def recorded_run(kind: str, parameters: dict[str, object] | None = None) -> Iterator[dict[str, int]]:
    """Record a job run (visible in the admin); yields a dict the job fills with its counts."""
    started = timezone.now()
    _fail_stale_runs(started)
    run = JobRun.objects.create(kind=kind, started_at=started, parameters=parameters or {})
    counts = {}
    try:
        yield counts
    except BaseException as exc:
        JobRun.objects.filter(id=run.id).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), counts=counts, error=repr(exc)[:5000]
        )
        raise
    JobRun.objects.filter(id=run.id).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now(), counts=counts
    )


def _fail_stale_runs(now: dt.datetime) -> None:
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    JobRun.objects.filter(status=JobStatus.RUNNING, started_at__lt=stale).update(
        status=JobStatus.FAILED, error="Did not finish within the time limit (worker lost?)."
    )


def prune_job_runs(keep_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete the records of finished runs started more than `keep_days` ago; return how many.

    A run still marked running is kept (recorded_run marks it failed once it is stale), and so
    is the newest finished run of each kind, so the admin always shows when each job last ran.
    """
    keep_days = settings.TRACKER_JOB_RUNS_KEEP_DAYS if keep_days is None else keep_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    finished = JobRun.objects.exclude(status=JobStatus.RUNNING)
    newest = set()
    for kind in JobKind.values:
        run_id = finished.filter(kind=kind).values_list("id", flat=True).first()  # newest first
        if run_id is not None:
            newest.add(run_id)
    deleted, _ = finished.filter(started_at__lt=cutoff).exclude(id__in=newest).delete()
    return deleted


def _add_counts(counts: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        counts[key] = counts.get(key, 0) + value


# --- Chunks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdRange:
    """The incidents with start <= id < stop (None: unbounded on that side): one chunk of a full scan.

    The first chunk of a split starts at None and the last stops at None, so the chunks together
    cover every incident, including any created while the scan runs.
    """

    start: int | None = None
    stop: int | None = None

    def filter(self, queryset: QuerySet, field: str = "id") -> QuerySet:
        """`queryset` restricted to rows whose `field` (an incident id) is in the range."""
        if self.start is not None:
            queryset = queryset.filter(**{f"{field}__gte": self.start})
        if self.stop is not None:
            queryset = queryset.filter(**{f"{field}__lt": self.stop})
        return queryset


EVERY_INCIDENT = IdRange()


def _parts(ids: IdRange, incident_ids: np.ndarray, size: int) -> list[IdRange]:
    """`ids` cut into consecutive ranges holding about `size` of `incident_ids` each (at least one
    range; together exactly `ids`); all of it in one when `size` < 1."""
    if size < 1:
        return [ids]
    cuts = np.sort(incident_ids)[size::size].tolist()  # ids are unique: every cut is a new one
    edges = [ids.start, *cuts, ids.stop]
    return [IdRange(start, stop) for start, stop in zip(edges, edges[1:])]


def incident_id_ranges(count: int) -> list[IdRange]:
    """At most `count` id ranges holding about as many incidents each, together covering every id."""
    if count <= 1:
        return [EVERY_INCIDENT]
    total = Incident.objects.count()
    count = min(count, total)
    if count <= 1:
        return [EVERY_INCIDENT]
    # The ids at these row numbers (in id order) start the second and later ranges, whatever
    # gaps deletions left in the ids. Each is found from the one before by skipping the rows
    # between them in the primary key's index, so together the lookups read the index once
    # (numbering every row with a window function cost several times as much).
    firsts = [total * k // count + 1 for k in range(1, count)]
    starts, previous_id, previous_row = [], None, 0
    for row in firsts:
        after = Incident.objects.order_by("id")
        if previous_id is not None:
            after = after.filter(id__gt=previous_id)
        found = after.values_list("id", flat=True)[row - previous_row - 1 : row - previous_row]
        if not found:  # incidents deleted meanwhile: fewer, still covering ranges
            break
        starts.append(previous_id := found[0])
        previous_row = row
    edges = [None, *starts, None]
    return [IdRange(start, stop) for start, stop in zip(edges, edges[1:])]


# --- Loading ---------------------------------------------------------------------------------------


def _store() -> EngineStore:
    """The database-specific code for the current connection (see tracker.store)."""
    return store_for(connection)


def _code(field: str, codes: Mapping[str, int]) -> Case:
    """A choice field as its integer code, computed by the database (NULL for a value not in `codes`)."""
    return Case(
        *(When(**{field: value}, then=Value(code)) for value, code in codes.items()),
        default=Value(None),
        output_field=IntegerField(),
    )


def _column_expression(column: rules.IncidentColumn, store: EngineStore) -> Expression | F:
    """The SQL expression that reads `column` (a rules.IncidentColumn) as a number."""
    if column.encoding == rules.Encoding.EPOCH_SECONDS:
        return store.epoch_seconds(Incident._meta.db_table, column.field)
    if column.encoding == rules.Encoding.CODE:
        return _code(column.field, column.codes)
    return F(column.field)


def load_incidents(queryset: QuerySet[Incident]) -> rules.IncidentArrays:
    """The columns the rules need, as numpy arrays: one query, numbers only.

    The query reads rules.INCIDENT_COLUMNS in their order: choices come back as integer codes
    and times as epoch seconds, so the rows turn into a float matrix in a few numpy calls
    instead of a Python object per value.
    """
    store = _store()
    # Every column under an alias of its own: PostgreSQL's binary COPY selects them by name.
    expressions = {
        f"engine_{column.name}": _column_expression(column, store) for column in rules.INCIDENT_COLUMNS
    }
    columns = tuple(expressions)
    try:
        sql, params = (
            queryset.order_by().annotate(**expressions).values_list(*columns).query.sql_with_params()
        )
    except EmptyResultSet:  # a queryset.none(): nothing to read
        return rules.IncidentArrays.from_columns(np.empty((0, len(columns))))
    return rules.IncidentArrays.from_columns(store.read_floats(sql, params, columns))


def _timestamp(value: dt.datetime | None, default: float) -> float:
    return value.timestamp() if value else default


def clause_specs(clause_ids: Iterable[int] | None = None) -> list[rules.ClauseSpec]:
    """Clauses as rules.ClauseSpec, with each area's buffered shape computed once."""
    clauses = Clause.objects.select_related("agreement").prefetch_related(
        "areas", "obligated_parties", "agreement__areas"
    )
    if clause_ids is not None:
        clauses = clauses.filter(id__in=clause_ids)
    area_specs, specs = {}, []
    for clause in clauses:
        areas = list(clause.areas.all()) or list(clause.agreement.areas.all())
        for area in areas:
            if area.id not in area_specs:
                projection, shape_km = buffered_km(area.shape, area.buffer_km)
                bounds = (area.min_lon, area.min_lat, area.max_lon, area.max_lat)
                area_specs[area.id] = rules.AreaSpec(projection, shape_km, bounds)
        specs.append(
            rules.ClauseSpec(
                id=clause.id,
                categories=frozenset(clause.prohibited_categories or ()),
                starts=_timestamp(clause.effective_from, -math.inf),
                ends=_timestamp(clause.effective_until, math.inf),
                party_ids=frozenset(p.id for p in clause.obligated_parties.all()),
                areas=[area_specs[a.id] for a in areas],
            )
        )
    return specs


def candidate_incidents(
    specs: list[rules.ClauseSpec], scope: QuerySet[Incident] | None = None
) -> QuerySet[Incident]:
    """Incidents that could breach one of `specs`, pre-filtered in SQL by category, date and box.

    One cheap condition for all clauses together (the union of their categories, periods and
    widened boxes): per-clause conditions OR'ed together cost the database more to evaluate
    than the rows they save; the rules then sort out each clause on the arrays.
    """
    specs = [s for s in specs if s.categories]
    queryset = (scope if scope is not None else Incident.objects.all()).exclude(
        status=IncidentStatus.REJECTED
    )
    if not specs:
        return queryset.none()
    queryset = queryset.filter(category__in=sorted(set().union(*(s.categories for s in specs))))
    starts = min(s.starts for s in specs)
    ends = max(s.ends for s in specs)
    if starts > -math.inf:
        start = dt.datetime.fromtimestamp(starts, dt.UTC)
        queryset = queryset.filter(Q(occurred_until__gte=start) | Q(occurred_at__gte=start - LONGEST_WINDOW))
    if ends < math.inf:
        queryset = queryset.filter(occurred_at__lt=dt.datetime.fromtimestamp(ends, dt.UTC))
    if all(s.areas for s in specs):
        boxes = [rules.widen(a.bounds, rules.MAX_POSSIBLE_RADIUS_KM) for s in specs for a in s.areas]
        queryset = queryset.filter(
            longitude__range=(min(b[0] for b in boxes), max(b[2] for b in boxes)),
            latitude__range=(min(b[1] for b in boxes), max(b[3] for b in boxes)),
        )
    return queryset


# --- Writing ---------------------------------------------------------------------------------------


def insert_violations(rows: Sequence[ViolationRow], now: dt.datetime) -> list[int]:
    """Insert flagged violations (clause_id, incident_id, confidence, reasons), skipping existing pairs.

    Returns the ids of those this call inserted: a concurrent scan inserting the same pair first
    is not an error (INSERT ... ON CONFLICT DO NOTHING RETURNING id; see tracker.store).
    """
    if not rows:
        return []
    return _store().insert_violations(rows, now)


# A stored violation as the scan compares it: (id, status, confidence, reasons as JSON text).
StoredViolation = tuple[int, str, str, str]


@dataclass
class ViolationChanges:
    """What makes the stored violations of a group of clauses agree with its matches."""

    new: list[ViolationRow] = field(default_factory=list)
    # (status the violations must still have, new confidence, new reasons) -> violation ids:
    # one compare-and-set UPDATE per key.
    revised: defaultdict[tuple[str, str, tuple[str, ...]], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    withdrawn: list[int] = field(default_factory=list)  # flagged, no longer matched


def stored_violations(
    clause_ids: list[int], scope: QuerySet[Incident] | None, ids: IdRange = EVERY_INCIDENT
) -> dict[tuple[int, int], StoredViolation]:
    """The violations of `clause_ids` on incidents in `scope` (None: all) and in the id range `ids`,
    by (clause, incident)."""
    # No order_by: a dict needs none, and Violation's default ordering would sort every group.
    queryset = ids.filter(Violation.objects.filter(clause_id__in=clause_ids), "incident_id").order_by()
    if scope is not None:
        queryset = queryset.filter(incident__in=scope.values("id"))
    # Reasons are compared as JSON text: decoding every stored list would cost more than the scan.
    return {
        (clause_id, incident_id): (violation_id, status, confidence, reasons)
        for violation_id, clause_id, incident_id, status, confidence, reasons in queryset.values_list(
            "id", "clause_id", "incident_id", "status", "confidence", Cast("reasons", TextField())
        )
    }


def violation_changes(
    group: list[rules.Matches], stored: dict[tuple[int, int], StoredViolation]
) -> ViolationChanges:
    """Compare matches with stored violations: new pairs, pairs whose violation needs revising, and
    flagged violations no longer matched. Confirmed and dismissed violations are analysts' to change.
    """
    changes = ViolationChanges()
    matched = set()
    as_json = {}  # a handful of distinct reasons lists: encode each once
    for matches in group:
        for incident_id, confidence, why in zip(
            matches.incident_ids.tolist(), matches.confidence, matches.reasons
        ):
            key = (matches.clause_id, incident_id)
            matched.add(key)
            violation = stored.get(key)
            if violation is None:
                changes.new.append((matches.clause_id, incident_id, confidence, why))
                continue
            violation_id, status, stored_confidence, stored_reasons = violation
            why = tuple(why)
            if why not in as_json:
                as_json[why] = json.dumps(list(why))
            reflag = status == ViolationStatus.WITHDRAWN
            refresh = status == ViolationStatus.FLAGGED and (stored_confidence, stored_reasons) != (
                confidence,
                as_json[why],
            )
            if reflag or refresh:
                changes.revised[(status, confidence, why)].append(violation_id)
    changes.withdrawn = [
        violation[0]
        for key, violation in stored.items()
        if key not in matched and violation[1] == ViolationStatus.FLAGGED
    ]
    return changes


def _update_if_still(current_status: str, ids: list[int], fields: dict[str, object]) -> int:
    """Compare-and-set: `fields` on those of `ids` whose status is still `current_status`; how many."""
    updated = 0
    for start in range(0, len(ids), WRITE_BATCH):
        updated += Violation.objects.filter(
            id__in=ids[start : start + WRITE_BATCH], status=current_status
        ).update(**fields)
    return updated


def _revise(
    ids: list[int], old_status: str, confidence: str, reasons: tuple[str, ...], now: dt.datetime
) -> int:
    """Give violations their new confidence and reasons; withdrawn ones are flagged again."""
    fields = {"confidence": confidence, "reasons": list(reasons), "updated_at": now}
    if old_status == ViolationStatus.WITHDRAWN:
        fields.update(status=ViolationStatus.FLAGGED, flagged_at=now)
    return _update_if_still(old_status, ids, fields)


def apply_matches(
    group: list[rules.Matches],
    scope: QuerySet[Incident] | None = None,
    now: dt.datetime | None = None,
    ids: IdRange = EVERY_INCIDENT,
) -> dict[str, int]:
    """Make the violations of a group of clauses agree with their matches within `scope`.

    `group` is a list of rules.Matches; `scope` a queryset of the incidents that were evaluated
    (None: all) and `ids` their id range. Pairs outside them are left alone.
    """
    now = now or timezone.now()
    changes = violation_changes(group, stored_violations([m.clause_id for m in group], scope, ids))
    counts = dict.fromkeys(("created", "reflagged", "updated", "withdrawn"), 0)
    flagged = insert_violations(changes.new, now)
    counts["created"] = len(flagged)
    for (old_status, confidence, reasons), violation_ids in changes.revised.items():
        kind = "updated"
        if old_status == ViolationStatus.WITHDRAWN:
            kind = "reflagged"
            # Exactly those still withdrawn, held until the commit: the ones flagged again here.
            violation_ids = _lock_if_still(old_status, violation_ids)
            flagged += violation_ids
        counts[kind] += _revise(violation_ids, old_status, confidence, reasons, now)
    counts["withdrawn"] = _update_if_still(
        ViolationStatus.FLAGGED, changes.withdrawn, {"status": ViolationStatus.WITHDRAWN, "updated_at": now}
    )
    _announce_flagged(flagged)
    return counts


def _lock_if_still(status: str, ids: list[int]) -> list[int]:
    """Those of `ids` whose status is still `status`, locked until the transaction ends."""
    found = []
    for start in range(0, len(ids), WRITE_BATCH):
        found += (
            Violation.objects.select_for_update()
            .filter(id__in=ids[start : start + WRITE_BATCH], status=status)
            .order_by("id")
            .values_list("id", flat=True)
        )
    return found


def _announce_flagged(ids: list[int]) -> None:
    """Send events.violations_flagged with what this call flagged: the ids its insert returned
    and those of the withdrawn violations it flagged again.

    No query over the violations flagged at the scan's moment: it read every violation a full
    scan had flagged so far, once per commit (10-15 ms each at 1M incidents, growing with the
    scan), and could announce another run's.
    """
    if ids and events.violations_flagged.has_listeners():
        events.violations_flagged.send(sender=Violation, ids=sorted(ids))


def scan(
    scope: QuerySet[Incident] | None = None,
    clause_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
    ids: IdRange = EVERY_INCIDENT,
) -> dict[str, int]:
    """Evaluate incidents in `scope` (None: all) and in the id range `ids` against clauses (None:
    all); returns counts.

    A scoped scan writes in one transaction. A full scan (or a chunk of one) writes part by part
    of its id range, every clause at once, and commits each part (about
    TRACKER_SCAN_INCIDENTS_PER_COMMIT of the incidents it read): a scan
    killed half-way keeps the parts it finished and a rerun does the rest. Each part's writes
    (the violations' unique index, the foreign key's lock on each incident) then visit the
    incidents' pages once, in id order, not once per group of clauses.
    """
    now = now or timezone.now()
    specs = clause_specs(clause_ids)
    incidents = load_incidents(
        candidate_incidents(specs, ids.filter(scope if scope is not None else Incident.objects.all()))
    )
    totals = dict.fromkeys(("incidents", "clauses", "created", "reflagged", "updated", "withdrawn"), 0)
    totals["incidents"], totals["clauses"] = len(incidents), len(specs)
    matches = [rules.match_clause(incidents, spec) for spec in specs]
    size = settings.TRACKER_SCAN_INCIDENTS_PER_COMMIT
    parts = [ids] if scope is not None else _parts(ids, incidents.ids, size)
    for part in parts:
        group = matches if len(parts) == 1 else [m.within(part.start, part.stop) for m in matches]
        with transaction.atomic():
            # Violations are derived data a rerun recomputes: no need to wait for the disk.
            _store().fast_commit()
            _add_counts(totals, apply_matches(group, scope=scope, now=now, ids=part))
    return totals


def last_scan_started() -> dt.datetime | None:
    """Start of the latest successful scan of everything changed (full or incremental), or None."""
    run = (
        JobRun.objects.filter(
            kind__in=[JobKind.SCAN_FULL, JobKind.SCAN_INCREMENTAL], status=JobStatus.SUCCEEDED
        )
        .order_by("-started_at")
        .first()
    )
    return run.started_at if run else None


def scan_violations(
    full: bool = False,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
    chunks: int = 1,
    run_chunks: Callable[[list[int]], None] | None = None,
) -> dict[str, int]:
    """Full scan, or incremental: incidents and clauses changed since `since` (default: last scan).

    A full scan runs in `chunks` id ranges (see start_full_scan). `run_chunks(chunk_run_ids)`
    runs them (the Celery task sends them to the workers as a group); by default, or when there
    is one chunk, they run here, one after another, and the totals are returned. Once sent,
    the run's counts are recorded by its last chunk: this returns {"chunks": n}.
    """
    since = None if full else (since or last_scan_started())
    if since is None:
        run_id, chunk_ids = start_full_scan(chunks, now)
        if run_chunks is not None and len(chunk_ids) > 1:
            run_chunks(chunk_ids)
            return {"chunks": len(chunk_ids)}
        for chunk_id in chunk_ids:
            scan_chunk(chunk_id)
        return JobRun.objects.get(id=run_id).counts
    with recorded_run(JobKind.SCAN_INCREMENTAL, {"since": since.isoformat()}) as counts:
        changed_incidents = Incident.objects.filter(updated_at__gte=since)
        changed_clauses = list(Clause.objects.filter(updated_at__gte=since).values_list("id", flat=True))
        counts.update(scan(scope=changed_incidents, now=now))
        if changed_clauses:
            _add_counts(counts, scan(clause_ids=changed_clauses, now=now))
        counts["changed_clauses"] = len(changed_clauses)
    return counts


def start_full_scan(chunks: int = 1, now: dt.datetime | None = None) -> tuple[int, list[int]]:
    """Record a full scan split into at most `chunks` id ranges; return (its run id, its chunks' run ids).

    Each chunk is a JobRun of its own (kind scan_chunk, parent the full scan) holding its range
    and the scan's `now` (every chunk flags at the same moment), so any worker can run it from its
    id alone, and run it again: see scan_chunk.
    """
    started = timezone.now()
    now = now or started
    _fail_stale_runs(started)
    ranges = incident_id_ranges(chunks)
    with transaction.atomic():
        run = JobRun.objects.create(
            kind=JobKind.SCAN_FULL, started_at=started, parameters={"since": None, "chunks": len(ranges)}
        )
        chunk_runs = JobRun.objects.bulk_create(
            JobRun(
                kind=JobKind.SCAN_CHUNK,
                parent=run,
                started_at=started,
                parameters={"start": ids.start, "stop": ids.stop, "now": now.isoformat()},
            )
            for ids in ranges
        )
    return run.id, [chunk.id for chunk in chunk_runs]


def scan_chunk(chunk_id: int) -> dict[str, int]:
    """Scan one chunk of a full scan (its id range, every clause); the last chunk to finish closes the run.

    Idempotent and safe under a killed worker like the full scan itself: it commits part by part
    of its range (see scan), and running it again (as a redelivered task does) recomputes the
    same violations and finishes what a killed run left. A chunk already done does nothing.
    """
    chunk = JobRun.objects.filter(id=chunk_id, kind=JobKind.SCAN_CHUNK).first()
    if chunk is None or chunk.status == JobStatus.SUCCEEDED:  # pruned, or a duplicate delivery
        return {}
    JobRun.objects.filter(id=chunk_id).update(status=JobStatus.RUNNING, started_at=timezone.now(), error="")
    parameters = chunk.parameters
    ids = IdRange(parameters["start"], parameters["stop"])
    try:
        counts = scan(ids=ids, now=dt.datetime.fromisoformat(parameters["now"]))
    except BaseException as exc:
        JobRun.objects.filter(id=chunk_id).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=repr(exc)[:5000]
        )
        _close_full_scan(chunk.parent_id)
        raise
    JobRun.objects.filter(id=chunk_id).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now(), counts=counts
    )
    _close_full_scan(chunk.parent_id)
    return counts


def _close_full_scan(run_id: int) -> None:
    """Mark a chunked full scan failed as soon as a chunk has failed, succeeded (with the chunks'
    counts added up) once all have succeeded.

    Called after each chunk commits its own status, so the last chunk to finish sees every other
    one finished. A chunk that succeeds on a retry after its failure closed the run still turns
    the run to succeeded: the run's status follows its chunks'. Compare-and-set: concurrent
    chunks close it once.
    """
    chunks = list(JobRun.objects.filter(parent_id=run_id).values_list("status", "counts", "error"))
    failed = [error for status, _counts, error in chunks if status == JobStatus.FAILED]
    now = timezone.now()
    if failed:
        JobRun.objects.filter(id=run_id, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            finished_at=now,
            error=f"{len(failed)} chunk(s) failed: {failed[0]}"[:5000],
        )
        return
    if any(status != JobStatus.SUCCEEDED for status, _counts, _error in chunks):
        return
    totals = {}
    for _status, counts, _error in chunks:
        _add_counts(totals, counts)
    if "clauses" in totals:  # every chunk scans every clause
        totals["clauses"] = max(counts.get("clauses", 0) for _status, counts, _error in chunks)
    JobRun.objects.filter(id=run_id, status__in=[JobStatus.RUNNING, JobStatus.FAILED]).update(
        status=JobStatus.SUCCEEDED, finished_at=now, counts=totals, error=""
    )


def evaluate(
    incident_ids: Collection[int] = (), clause_ids: Collection[int] = (), now: dt.datetime | None = None
) -> dict[str, int]:
    """Re-evaluate records that were just saved (called after their transaction commits)."""
    params = {"incident_ids": list(incident_ids)[:100], "clause_ids": list(clause_ids)[:100]}
    with recorded_run(JobKind.SCAN_SELECTED, params) as counts:
        if incident_ids:
            counts.update(scan(scope=Incident.objects.filter(id__in=list(incident_ids)), now=now))
        if clause_ids:
            _add_counts(counts, scan(clause_ids=list(clause_ids), now=now))
    return counts


# --- Deadlines -------------------------------------------------------------------------------------


def check_deadlines(
    now: dt.datetime | None = None, due_soon_days: float | None = None
) -> dict[str, list[str]]:
    """Move overdue open deadlines to missed and flag those due soon; returns what changed."""
    now = now or timezone.now()
    due_soon_days = settings.TRACKER_DEADLINE_DUE_SOON_DAYS if due_soon_days is None else due_soon_days
    changes = {"missed": [], "due_soon": [], "no_longer_due_soon": []}
    with recorded_run(
        JobKind.CHECK_DEADLINES, {"at": now.isoformat(), "due_soon_days": due_soon_days}
    ) as counts:
        horizon = now + dt.timedelta(days=due_soon_days)
        candidates = Deadline.objects.filter(
            Q(status__in=[DeadlineStatus.PENDING, DeadlineStatus.EXTENDED], due_at__lte=horizon)
            | Q(due_soon=True)
        ).values_list("id", flat=True)
        for deadline_id in list(candidates):
            with transaction.atomic():
                # Locked and re-read: two workers checking at once change each deadline once.
                deadline = (
                    Deadline.objects.select_for_update().select_related("agreement").get(id=deadline_id)
                )
                status, due_soon = rules.deadline_state(deadline.status, deadline.due_at, now, due_soon_days)
                if (status, due_soon) == (deadline.status, deadline.due_soon):
                    continue
                if status == DeadlineStatus.MISSED:
                    deadline.missed_at = deadline.due_at  # when it passed, not when we noticed
                    changes["missed"].append(str(deadline))
                elif due_soon:
                    changes["due_soon"].append(str(deadline))
                else:
                    changes["no_longer_due_soon"].append(str(deadline))
                deadline.status, deadline.due_soon = status, due_soon
                deadline._change_reason = "Deadline check"
                deadline.save(update_fields=["status", "due_soon", "missed_at"])
                if status == DeadlineStatus.MISSED:
                    events.deadline_missed.send(sender=Deadline, ids=[deadline.id], now=now)
                elif due_soon:
                    events.deadline_due_soon.send(sender=Deadline, ids=[deadline.id], now=now)
        counts.update({key: len(value) for key, value in changes.items()})
    return changes


# --- Reviews ---------------------------------------------------------------------------------------


def review_violation(
    violation_id: int,
    *,
    status: str,
    user: AbstractBaseUser,
    note: str = "",
    now: dt.datetime | None = None,
) -> Violation:
    """Confirm or dismiss a violation: compare-and-set, so two analysts cannot both win."""
    if status not in (ViolationStatus.CONFIRMED, ViolationStatus.DISMISSED):
        raise ValueError(f"A review sets confirmed or dismissed, not {status!r}.")
    now = now or timezone.now()
    reviewable = [ViolationStatus.FLAGGED, ViolationStatus.CONFIRMED, ViolationStatus.DISMISSED]
    with transaction.atomic():
        updated = Violation.objects.filter(id=violation_id, status__in=reviewable).update(
            status=status, reviewed_by=user, reviewed_at=now, review_note=note, updated_at=now
        )
        if not updated:
            raise StateConflict(_("This violation was withdrawn by the engine or no longer exists."))
        if status == ViolationStatus.CONFIRMED:
            events.violation_confirmed.send(sender=Violation, id=violation_id)
    return Violation.objects.get(id=violation_id)
