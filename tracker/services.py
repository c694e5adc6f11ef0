"""The ORM side of the compliance engine. Every function is idempotent and returns counts.

Safe on several workers at once: new violations are inserted with ON CONFLICT DO NOTHING on
the (incident, clause) unique constraint, and every state change is a compare-and-set
(`filter(status=old).update(...)`), so the final state depends only on the data, never on how
many scans ran, in which order, or whether one was killed half-way.
"""

import contextlib
import datetime as dt
import json
import math
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, FloatField, IntegerField, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from agreements.choices import DeadlineStatus
from agreements.geometry import buffered_km
from agreements.models import Clause, Deadline
from core.exceptions import StateConflict
from incidents.choices import IncidentStatus
from incidents.models import Incident

from . import rules
from .choices import JobKind, JobStatus, ViolationStatus
from .models import JobRun, Violation

WRITE_BATCH = 5000
CLAUSES_PER_COMMIT = 5
# Incidents whose time may be imprecise by up to a year still overlap a window that ended then.
LONGEST_WINDOW = dt.timedelta(days=366)


# --- Runs ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def recorded_run(kind, parameters=None):
    """Record a job run (visible in the admin); yields a dict the job fills with its counts."""
    started = timezone.now()
    stale = started - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    JobRun.objects.filter(status=JobStatus.RUNNING, started_at__lt=stale).update(
        status=JobStatus.FAILED, error="Did not finish within the time limit (worker lost?)."
    )
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


def prune_job_runs(keep_days=None, now=None):
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


def _add_counts(counts, more):
    for key, value in more.items():
        counts[key] = counts.get(key, 0) + value


# --- Loading ---------------------------------------------------------------------------------------


def _epoch(column):
    table = Incident._meta.db_table
    if connection.vendor == "postgresql":
        return RawSQL(f'EXTRACT(EPOCH FROM "{table}"."{column}")::float8', [], output_field=FloatField())
    return RawSQL(f'CAST(strftime(\'%%s\', "{table}"."{column}") AS REAL)', [], output_field=FloatField())


def _code(field, codes):
    return Case(
        *(When(**{field: value}, then=Value(code)) for value, code in codes.items()),
        default=Value(None),
        output_field=IntegerField(),
    )


def load_incidents(queryset, chunk_size=100_000):
    """The columns the rules need, as numpy arrays: one query, numbers only, read in chunks.

    Choices come back as integer codes and times as epoch seconds, so each chunk of rows turns
    into a float matrix in one numpy call instead of a Python object per value.
    """
    columns = (
        "id",
        "longitude",
        "latitude",
        "_starts",
        "_until",
        "_category",
        "perpetrator_id",
        "_location",
        "_date",
    )
    chunks = [np.empty((0, len(columns)))]
    try:
        sql, params = (
            queryset.order_by()
            .annotate(
                _starts=_epoch("occurred_at"),
                _until=_epoch("occurred_until"),
                _category=_code("category", rules.CATEGORY_CODES),
                _location=_code("location_precision", rules.LOCATION_CODES),
                _date=_code("date_precision", rules.DATE_CODES),
            )
            .values_list(*columns)
            .query.sql_with_params()
        )
    except EmptyResultSet:  # a queryset.none(): nothing to read
        sql = None
    if sql and connection.vendor == "postgresql":
        chunks.append(_copy_binary_floats(sql, params, columns))
    elif sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(chunk_size):
                chunks.append(np.array(rows, dtype=float))
    matrix = np.concatenate(chunks)
    return rules.IncidentArrays.from_codes(*matrix.T)


def _copy_binary_floats(sql, params, columns):
    """Run `sql` through PostgreSQL's binary COPY with every column as float8 (NULL as NaN).

    Rows then have a fixed width, so numpy reads the whole stream in one call: no Python
    object is made per value, which is most of the cost of a million-row read.
    """
    select = ", ".join(f"COALESCE(q.\"{name}\"::float8, 'NaN')" for name in columns)
    buffer = bytearray()
    with connection.cursor() as cursor:  # the driver's own cursor: Django's debug wrapper has no COPY params
        with cursor.cursor.copy(
            f"COPY (SELECT {select} FROM ({sql}) AS q) TO STDOUT (FORMAT binary)", params
        ) as copy:
            for block in copy:
                buffer += block
    header, trailer = 19, 2  # signature + flags + extension length; the -1 end marker
    row = np.dtype(
        [("fields", ">i2")]
        + [item for i in range(len(columns)) for item in ((f"length{i}", ">i4"), (f"value{i}", ">f8"))]
    )
    count = (len(buffer) - header - trailer) // row.itemsize
    records = np.frombuffer(buffer, dtype=row, count=count, offset=header)
    return np.column_stack([records[f"value{i}"].astype(float) for i in range(len(columns))])


def _timestamp(value, default):
    return value.timestamp() if value else default


def clause_specs(clause_ids=None):
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


def candidate_incidents(specs, scope=None):
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


def _grouped(ids, confidences, reasons):
    groups = defaultdict(list)
    for incident_id, confidence, why in zip(ids, confidences, reasons):
        groups[(confidence, tuple(why))].append(incident_id)
    return groups


def insert_violations(rows, now):
    """Insert flagged violations (clause_id, incident_id, confidence, reasons), skipping existing pairs.

    Returns how many this call inserted. On PostgreSQL the rows are COPYed into a temporary
    table and inserted with ON CONFLICT DO NOTHING: a concurrent scan inserting the same pair
    first is not an error, and the count comes from the database.
    """
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        # SQLite runs one writing transaction at a time (IMMEDIATE), so counting around the
        # insert is exact.
        clause_ids = {row[0] for row in rows}
        before = Violation.objects.filter(clause_id__in=clause_ids).count()
        Violation.objects.bulk_create(
            [
                Violation(
                    clause_id=clause_id,
                    incident_id=incident_id,
                    confidence=confidence,
                    reasons=reasons,
                    flagged_at=now,
                )
                for clause_id, incident_id, confidence, reasons in rows
            ],
            batch_size=WRITE_BATCH,
            ignore_conflicts=True,
        )
        return Violation.objects.filter(clause_id__in=clause_ids).count() - before
    table = Violation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tracker_new_violation "
            "(clause_id bigint, incident_id bigint, confidence text, reasons jsonb)"
        )
        as_json = {}  # a handful of distinct reasons lists: encode each once
        with cursor.cursor.copy("COPY tracker_new_violation FROM STDIN") as copy:
            for clause_id, incident_id, confidence, reasons in rows:
                key = tuple(reasons)
                if key not in as_json:
                    as_json[key] = json.dumps(reasons)
                copy.write_row((clause_id, incident_id, confidence, as_json[key]))
        cursor.execute(
            f"INSERT INTO {table} (clause_id, incident_id, confidence, reasons, status, flagged_at, updated_at, "
            "review_note) SELECT clause_id, incident_id, confidence, reasons, %s, %s, %s, '' "
            "FROM tracker_new_violation ON CONFLICT (incident_id, clause_id) DO NOTHING",
            [ViolationStatus.FLAGGED, now, now],
        )
        created = cursor.rowcount
        cursor.execute("TRUNCATE tracker_new_violation")
    return created


def apply_matches(group, scope=None, now=None):
    """Make the violations of a group of clauses agree with their matches within `scope`.

    `group` is a list of rules.Matches; `scope` a queryset of the incidents that were evaluated
    (None: all). Pairs outside the scope are left alone.
    """
    now = now or timezone.now()
    existing_qs = Violation.objects.filter(clause_id__in=[m.clause_id for m in group])
    if scope is not None:
        existing_qs = existing_qs.filter(incident__in=scope.values("id"))
    # Reasons are compared as JSON text: decoding every stored list would cost more than the scan.
    existing = {
        (clause_id, incident_id): (vid, status, confidence, reasons)
        for vid, clause_id, incident_id, status, confidence, reasons in existing_qs.values_list(
            "id", "clause_id", "incident_id", "status", "confidence", Cast("reasons", TextField())
        )
    }
    counts = dict.fromkeys(("created", "reflagged", "updated", "withdrawn"), 0)
    matched = set()
    new = []
    changed = defaultdict(list)  # (status, confidence, reasons) -> violation ids
    as_text = {}
    for matches in group:
        for incident_id, confidence, why in zip(
            matches.incident_ids.tolist(), matches.confidence, matches.reasons
        ):
            key = (matches.clause_id, incident_id)
            matched.add(key)
            current = existing.get(key)
            if current is None:
                new.append((matches.clause_id, incident_id, confidence, why))
                continue
            why = tuple(why)
            if why not in as_text:
                as_text[why] = json.dumps(list(why))
            if current[1] == ViolationStatus.WITHDRAWN:
                changed[(ViolationStatus.WITHDRAWN, confidence, why)].append(current[0])
            elif current[1] == ViolationStatus.FLAGGED and (current[2], current[3]) != (
                confidence,
                as_text[why],
            ):
                changed[(ViolationStatus.FLAGGED, confidence, why)].append(current[0])
    counts["created"] = insert_violations(new, now)
    for (old_status, confidence, why), ids in changed.items():
        fields = {"confidence": confidence, "reasons": list(why), "updated_at": now}
        if old_status == ViolationStatus.WITHDRAWN:
            fields.update(status=ViolationStatus.FLAGGED, flagged_at=now)
        for start in range(0, len(ids), WRITE_BATCH):
            n = Violation.objects.filter(id__in=ids[start : start + WRITE_BATCH], status=old_status).update(
                **fields
            )
            counts["reflagged" if old_status == ViolationStatus.WITHDRAWN else "updated"] += n
    gone = [v[0] for key, v in existing.items() if key not in matched and v[1] == ViolationStatus.FLAGGED]
    for start in range(0, len(gone), WRITE_BATCH):
        counts["withdrawn"] += Violation.objects.filter(
            id__in=gone[start : start + WRITE_BATCH], status=ViolationStatus.FLAGGED
        ).update(status=ViolationStatus.WITHDRAWN, updated_at=now)
    return counts


def _fast_commit():
    """Violations are derived data a rerun recomputes: don't wait for the disk on each commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def scan(scope=None, clause_ids=None, now=None):
    """Evaluate incidents in `scope` (None: all) against clauses (None: all); returns counts.

    A scoped scan writes in one transaction; a full scan commits every CLAUSES_PER_COMMIT
    clauses, so a scan killed half-way keeps what it finished and a rerun does the rest.
    """
    now = now or timezone.now()
    specs = clause_specs(clause_ids)
    incidents = load_incidents(candidate_incidents(specs, scope))
    totals = dict.fromkeys(("incidents", "clauses", "created", "reflagged", "updated", "withdrawn"), 0)
    totals["incidents"], totals["clauses"] = len(incidents), len(specs)
    step = len(specs) if scope is not None else CLAUSES_PER_COMMIT
    for start in range(0, len(specs), max(step, 1)):
        group = [rules.match_clause(incidents, spec) for spec in specs[start : start + step]]
        with transaction.atomic():
            _fast_commit()
            _add_counts(totals, apply_matches(group, scope=scope, now=now))
    return totals


def last_scan_started():
    """Start of the latest successful scan of everything changed (full or incremental), or None."""
    run = (
        JobRun.objects.filter(
            kind__in=[JobKind.SCAN_FULL, JobKind.SCAN_INCREMENTAL], status=JobStatus.SUCCEEDED
        )
        .order_by("-started_at")
        .first()
    )
    return run.started_at if run else None


def scan_violations(full=False, since=None, now=None):
    """Full scan, or incremental: incidents and clauses changed since `since` (default: last scan)."""
    since = None if full else (since or last_scan_started())
    kind = JobKind.SCAN_INCREMENTAL if since else JobKind.SCAN_FULL
    with recorded_run(kind, {"since": since.isoformat() if since else None}) as counts:
        if since is None:
            counts.update(scan(now=now))
        else:
            changed_incidents = Incident.objects.filter(updated_at__gte=since)
            changed_clauses = list(Clause.objects.filter(updated_at__gte=since).values_list("id", flat=True))
            counts.update(scan(scope=changed_incidents, now=now))
            if changed_clauses:
                _add_counts(counts, scan(clause_ids=changed_clauses, now=now))
            counts["changed_clauses"] = len(changed_clauses)
    return counts


def evaluate(incident_ids=(), clause_ids=(), now=None):
    """Re-evaluate records that were just saved (called after their transaction commits)."""
    params = {"incident_ids": list(incident_ids)[:100], "clause_ids": list(clause_ids)[:100]}
    with recorded_run(JobKind.SCAN_SELECTED, params) as counts:
        if incident_ids:
            counts.update(scan(scope=Incident.objects.filter(id__in=list(incident_ids)), now=now))
        if clause_ids:
            _add_counts(counts, scan(clause_ids=list(clause_ids), now=now))
    return counts


# --- Deadlines -------------------------------------------------------------------------------------


def check_deadlines(now=None, due_soon_days=None):
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
        counts.update({key: len(value) for key, value in changes.items()})
    return changes


# --- Reviews ---------------------------------------------------------------------------------------


def review_violation(violation_id, *, status, user, note="", now=None):
    """Confirm or dismiss a violation: compare-and-set, so two analysts cannot both win."""
    if status not in (ViolationStatus.CONFIRMED, ViolationStatus.DISMISSED):
        raise ValueError(f"A review sets confirmed or dismissed, not {status!r}.")
    now = now or timezone.now()
    reviewable = [ViolationStatus.FLAGGED, ViolationStatus.CONFIRMED, ViolationStatus.DISMISSED]
    updated = Violation.objects.filter(id=violation_id, status__in=reviewable).update(
        status=status, reviewed_by=user, reviewed_at=now, review_note=note, updated_at=now
    )
    if not updated:
        raise StateConflict("This violation was withdrawn by the engine or no longer exists.")
    return Violation.objects.get(id=violation_id)
