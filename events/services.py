"""The ORM side of grouping reports into events. Every function is idempotent and returns counts.

Safe on several workers at once: finding candidate pairs is read-only and may run in parallel
(chunks of time, events.tasks); every write takes the one grouping lock first (GroupingLock,
select_for_update), re-reads what it changes under it, and inserts pairs with
ON CONFLICT DO NOTHING. A pair an analyst merged or split is never changed by the job.
A worker killed half-way leaves pairs and events that a rerun completes.
"""

import datetime as dt
import math
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext

from agreements.geometry import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON_AT_EQUATOR
from core.exceptions import StateConflict
from incidents.choices import LOCATION_UNCERTAINTY_KM, IncidentStatus
from incidents.models import INJURED_FIELDS, KILLED_FIELDS, Incident
from tracker import rules as engine_rules
from tracker.store import store_for

from . import rules, store
from .choices import JOB_STATES, LINKING_STATES, DecisionKind, PairState
from .models import CandidatePair, Event, EventDecision, GroupingLock, GroupingStep
from .store import events_store_for

ID_BATCH = 5_000
# A pair's later report starts at most this long after the earlier one: a chunk of time reads
# this much past its end.
BORDER = dt.timedelta(seconds=rules.MAX_WINDOW + rules.TIME_SLACK)
# Reports within this distance of a changed one may pair with it (two district-wide radii).
NEIGHBOURHOOD_KM = 2 * rules.MAX_RADIUS_KM + rules.BASE_KM
ELIGIBLE_PRECISIONS = [p for p, km in LOCATION_UNCERTAINTY_KM.items() if km <= rules.MAX_RADIUS_KM]
EVIDENCE = ("score", "distance_km", "limit_km", "gap_hours", "same_category", "same_perpetrator", "ambiguous")


# --- Reading ---------------------------------------------------------------------------------------


def _code(field: str, codes: dict[str, int]) -> Case:
    return Case(
        *(When(**{field: value}, then=Value(code)) for value, code in codes.items()),
        default=Value(None),
        output_field=IntegerField(),
    )


def _source_codes(queryset: QuerySet[Incident]) -> dict[str, int]:
    datasets = queryset.exclude(source_dataset="").order_by().values_list("source_dataset", flat=True)
    return {name: code for code, name in enumerate(sorted(set(datasets.distinct())), start=1)}


def candidates_scope(queryset: QuerySet[Incident] | None = None) -> QuerySet[Incident]:
    """Reports that may corroborate another, as far as SQL can tell cheaply (rules.eligible decides)."""
    queryset = Incident.objects.all() if queryset is None else queryset
    return queryset.exclude(status=IncidentStatus.REJECTED).filter(
        latitude__isnull=False, location_precision__in=ELIGIBLE_PRECISIONS
    )


def load_reports(
    queryset: QuerySet[Incident], datasets: dict[str, int] | None = None
) -> tuple[engine_rules.IncidentArrays, np.ndarray]:
    """(the engine's columns, a report source code per incident): numbers only.

    The source code is the dataset's (one per distinct `source_dataset`) or, for a report
    entered by hand, minus one minus its author's id: each monitor is a source of its own.
    Reads that must agree on the codes share `datasets`: the datasets met are added to it.
    Those (a neighbourhood: a few thousand reports anywhere in the table) read their rows once,
    each dataset named by its lowest id among them; a full read lists the datasets first.
    """
    if datasets is None:
        return _read_reports(queryset, {}, by_heads=False)
    read = _read_reports(queryset, datasets, by_heads=True)
    # None: a report deleted between the two queries; the names are then read the long way.
    return read if read is not None else _read_reports(queryset, datasets, by_heads=False)


def _read_reports(
    queryset: QuerySet[Incident], datasets: dict[str, int], by_heads: bool
) -> tuple[engine_rules.IncidentArrays, np.ndarray] | None:
    store = store_for(connection)
    table = Incident._meta.db_table
    expressions = {}
    for column in engine_rules.INCIDENT_COLUMNS:
        if column.encoding == engine_rules.Encoding.EPOCH_SECONDS:
            expressions[f"e_{column.name}"] = store.epoch_seconds(table, column.field)
        elif column.encoding == engine_rules.Encoding.CODE:
            expressions[f"e_{column.name}"] = _code(column.field, column.codes)
        else:
            expressions[f"e_{column.name}"] = F(column.field)
    if by_heads:
        expressions["e_named"] = Case(
            When(source_dataset="", then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        expressions["e_dataset_head"] = Window(Min("id"), partition_by=[F("source_dataset")])
        expressions["e_source"] = -1 - F("created_by_id")
    else:
        for name in sorted(set(_source_codes(queryset)) - set(datasets)):
            datasets[name] = len(datasets) + 1
        expressions["e_source"] = Case(
            *(When(source_dataset=name, then=Value(code)) for name, code in datasets.items()),
            default=-1 - F("created_by_id"),
            output_field=IntegerField(),
        )
    names = tuple(expressions)
    sql, params = queryset.order_by().annotate(**expressions).values_list(*names).query.sql_with_params()
    matrix = store.read_floats(sql, params, names)
    arrays = engine_rules.IncidentArrays.from_codes(
        **{column.name: matrix[:, i] for i, column in enumerate(engine_rules.INCIDENT_COLUMNS)}
    )
    source = np.where(np.isnan(matrix[:, -1]), -1, matrix[:, -1]).astype(np.int64)
    if by_heads:
        named = matrix[:, -3] == 1
        head = matrix[named, -2].astype(np.int64)
        heads = np.unique(head)
        named_by = dict(Incident.objects.filter(id__in=heads.tolist()).values_list("id", "source_dataset"))
        if len(named_by) < len(heads):
            return None
        for name in sorted(set(named_by.values()) - set(datasets)):
            datasets[name] = len(datasets) + 1
        codes = np.array([datasets[named_by[h]] for h in heads.tolist()], dtype=np.int64)
        source[named] = codes[np.searchsorted(heads, head)]
    return arrays, source


# --- Candidate pairs -------------------------------------------------------------------------------


@dataclass
class Found:
    """Candidate pairs by incident ids, (first id, second id) -> evidence values (EVIDENCE order)."""

    pairs: dict[tuple[int, int], tuple]


def _found(arrays: engine_rules.IncidentArrays, pairs: rules.Pairs) -> Found:
    a, b = arrays.ids[pairs.first], arrays.ids[pairs.second]
    first, second = np.minimum(a, b), np.maximum(a, b)
    columns = [getattr(pairs, name).tolist() for name in EVIDENCE]
    return Found(dict(zip(zip(first.tolist(), second.tolist()), zip(*columns), strict=True)))


def _state(values: tuple) -> str:
    evidence = dict(zip(EVIDENCE, values, strict=True))
    clear = evidence["score"] >= rules.AUTO_THRESHOLD and not evidence["ambiguous"]
    return PairState.AUTO if clear else PairState.PENDING


def _pair_rows(stored: QuerySet[CandidatePair]) -> list[tuple]:
    """(id, first id, second id, state, *EVIDENCE) of each pair of `stored`."""
    return list(stored.values_list("id", "first_id", "second_id", "state", *EVIDENCE))


def sync_pairs(found: Found, stored: QuerySet[CandidatePair] | list[tuple]) -> dict[str, int]:
    """Make the job's pairs among `stored` (a queryset, or its _pair_rows read under the lock)
    agree with `found`: insert, revise, delete.

    Pairs an analyst merged or split keep their state; a found pair that exists in any state is
    never inserted twice (ON CONFLICT DO NOTHING on the unique pair).
    """
    rows = _pair_rows(stored) if isinstance(stored, QuerySet) else stored
    existing = {
        (first, second): (pair_id, state, tuple(values)) for pair_id, first, second, state, *values in rows
    }
    new, revised, stale = [], [], []
    for key, values in found.pairs.items():
        old = existing.get(key)
        if old is None:
            new.append((*key, _state(values), *values))
        elif old[1] in JOB_STATES and (old[2] != values or old[1] != _state(values)):
            revised.append(CandidatePair(id=old[0], state=_state(values), **dict(zip(EVIDENCE, values))))
    for key, (pair_id, state, _values) in existing.items():
        if state in JOB_STATES and key not in found.pairs:
            stale.append(pair_id)
    events_store_for(connection).insert(CandidatePair, ["first_id", "second_id", "state", *EVIDENCE], new)
    CandidatePair.objects.bulk_update(revised, ["state", *EVIDENCE], batch_size=1_000)
    for start in range(0, len(stale), ID_BATCH):
        CandidatePair.objects.filter(id__in=stale[start : start + ID_BATCH], state__in=JOB_STATES).delete()
    return {"pairs_new": len(new), "pairs_revised": len(revised), "pairs_removed": len(stale)}


def chunk_bounds(chunks: int) -> list[tuple[float, float]]:
    """`chunks` consecutive time ranges (epoch seconds) covering every incident, first and last open."""
    times = Incident.objects.order_by("occurred_at").values_list("occurred_at", flat=True)
    first, last = times.first(), times.last()
    if chunks <= 1 or first is None or first == last:
        return [(-math.inf, math.inf)]
    lo, hi = first.timestamp(), last.timestamp()
    cuts = [lo + (hi - lo) * k / chunks for k in range(1, chunks)]
    return list(zip([-math.inf, *cuts], [*cuts, math.inf], strict=True))


def _moment(seconds: float) -> dt.datetime | None:
    return None if math.isinf(seconds) else dt.datetime.fromtimestamp(seconds, dt.UTC)


def find_chunk_pairs(owned_from: float, owned_until: float) -> Found:
    """The candidate pairs whose earlier report starts in [owned_from, owned_until): read-only."""
    scope = candidates_scope()
    start, end = _moment(owned_from), _moment(owned_until)
    # Two borders either side: the reports a pair's reports may pair with (rules.ambiguous).
    if start is not None:
        scope = scope.filter(occurred_at__gte=start - 2 * BORDER)
    if end is not None:
        scope = scope.filter(occurred_at__lt=end + 2 * BORDER)
    arrays, source = load_reports(scope)
    return _found(arrays, rules.find_pairs(arrays, source, owned_from, owned_until))


def group_chunk(
    owned_from: float = -math.inf,
    owned_until: float = math.inf,
    run: int | None = None,
    step: str | None = None,
) -> dict[str, int]:
    """Find and store the candidate pairs of one chunk of time (see find_chunk_pairs).

    `run`: the full regrouping (begin_full) the chunk is part of; its chunks own disjoint
    pairs and store them side by side (lock). Without it the chunk writes alone. `step`: the
    name it is recorded under (begin_step).
    """
    found = find_chunk_pairs(owned_from, owned_until)
    stored = CandidatePair.objects.all()
    if not (math.isinf(owned_from) and math.isinf(owned_until)):  # no join to read every pair
        stored = stored.annotate(owner_at=Least("first__occurred_at", "second__occurred_at"))
    if not math.isinf(owned_from):
        stored = stored.filter(owner_at__gte=_moment(owned_from))
    if not math.isinf(owned_until):
        stored = stored.filter(owner_at__lt=_moment(owned_until))
    with transaction.atomic():
        if not lock(run):
            return {"superseded": 1}
        if not begin_step(run, step):
            return {"done before": 1}
        counts = sync_pairs(found, stored)
    counts["pairs"] = len(found.pairs)
    return counts


def group_all(chunks: int = 1, now: dt.datetime | None = None) -> dict[str, int]:
    """Regroup everything from scratch: every chunk's pairs, then every part of the events,
    then finish_full. Idempotent. events.tasks.group_all runs the same steps on the workers."""
    now = now or timezone.now()
    run = begin_full()
    counts = Counter()
    for owned_from, owned_until in chunk_bounds(chunks):
        counts.update(group_chunk(owned_from, owned_until, run=run))
    for part in range(chunks):  # one part finishes the regrouping itself
        counts.update(rebuild_all(now, part=part, parts=chunks, run=run))
    if chunks > 1:
        counts.update(finish_full(run, now))
    return dict(counts)


def begin_full() -> int:
    """Number a new full regrouping; once the chunks of any earlier one still writing have
    committed, those still to come find themselves superseded and do nothing (lock)."""
    with transaction.atomic():
        lock()
        GroupingLock.objects.filter(pk=1).update(full_run=F("full_run") + 1)
        run = GroupingLock.objects.values_list("full_run", flat=True).get(pk=1)
        GroupingStep.objects.filter(run__lt=run).delete()  # earlier runs are over
    return run


def begin_step(run: int | None, step: str | None) -> bool:
    """Record `step` of the full regrouping `run` at the start of its transaction: it counts once
    that commits. False if it is there already: the step was done (a redelivered task), or a
    second delivery of it runs at the same time, whose insert of the same row waits for the
    first transaction and then finds the row (or takes over if the first rolled back). No step
    named (a chunk or part run on its own): True, nothing recorded."""
    if run is None or step is None:
        return True
    _step, created = GroupingStep.objects.get_or_create(run=run, step=step)
    return created


def steps_done(run: int, prefix: str) -> int:
    """How many steps of the full regrouping `run` whose names start with `prefix` have committed."""
    return GroupingStep.objects.filter(run=run, step__startswith=prefix).count()


def finish_full(run: int | None = None, now: dt.datetime | None = None, sweep: bool = True) -> dict[str, int]:
    """Record the full regrouping `run` as done and bring the statistics up to date (the
    next incremental run reads and plans with what the regrouping wrote, see the store's
    analyze). `sweep`: first remove the events no report points at any more, which a part
    of the events left to the part whose group took their reports. Nothing if a later
    regrouping has begun."""
    with transaction.atomic():
        if not lock(run):
            return {"superseded": 1}
        removed = 0
        if sweep:
            orphans = Event.objects.filter(~Exists(Incident.objects.filter(event=OuterRef("id"))))
            removed = orphans.delete()[0]
        GroupingLock.objects.filter(pk=1).update(last_full_at=now or timezone.now())
    events_store_for(connection).analyze()
    return {"events_removed": removed}


def group_changed(since: dt.datetime | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Group the incidents created or changed since `since` (default: since the last run)."""
    now = now or timezone.now()
    state, _created = GroupingLock.objects.get_or_create(pk=1)
    since = since or state.last_run_at
    if since is None:
        counts = group_all(now=now)
    else:
        counts = group_incidents(Incident.objects.filter(updated_at__gte=since))
    GroupingLock.objects.filter(pk=1).update(last_run_at=now)
    return counts


def group_incidents(scope: QuerySet[Incident] | Collection[int]) -> dict[str, int]:
    """Group incidents just saved or imported (a queryset or ids) against their neighbours."""
    if not isinstance(scope, QuerySet):
        scope = Incident.objects.filter(id__in=list(scope))
    changed = scope.order_by().values_list("id", "occurred_at", "latitude", "longitude")
    ids, times, lats, lons = [], [], [], []
    for incident_id, occurred_at, lat, lon in changed:
        ids.append(incident_id)
        times.append(occurred_at)
        if lat is not None:
            lats.append(lat)
            lons.append(lon)
    if not ids:
        return {"incidents": 0}
    datasets: dict[str, int] = {}
    arrays, source = _neighbourhood(ids, datasets)
    pairs = rules.find_pairs(arrays, source)
    first, second = arrays.ids[pairs.first], arrays.ids[pairs.second]
    pairs = pairs.take(np.flatnonzero(np.isin(first, ids) | np.isin(second, ids)))
    found = _found(arrays, pairs)
    keys = np.array(list(found.pairs) or np.empty((0, 2)), dtype=np.int64).reshape(-1, 2)
    partners = np.setdiff1d(keys.ravel(), np.asarray(ids, dtype=np.int64))
    with transaction.atomic():
        lock()
        # The stored pairs of the changed reports and of their partners, read once: what the
        # revision weighs and what it replaces.
        touched = sorted(set(ids) | set(partners.tolist()))
        stored = _pair_rows(events_store_for(connection).pairs_of(touched))
        # A new report can make its partners' other pairs ambiguous: those are revised too.
        found = _revised_around(arrays, source, datasets, found, ids, partners, stored)
        counts = {"incidents": len(changed), "pairs": len(found.pairs)}
        counts.update(sync_pairs(found, stored))
        counts.update(rebuild(touched))
    return counts


def _stored_pairs(ids: np.ndarray, changed: np.ndarray) -> dict[tuple[int, int], tuple]:
    """The stored candidate pairs of `ids` (evidence in EVIDENCE order), but those of `changed`."""
    if not len(ids):
        return {}
    rows = events_store_for(connection).pairs_of(ids.tolist()).values_list("first_id", "second_id", *EVIDENCE)
    skip = set(changed.tolist())
    return {(a, b): tuple(values) for a, b, *values in rows if a not in skip and b not in skip}


def _revised_around(
    arrays: engine_rules.IncidentArrays,
    source: np.ndarray,
    datasets: dict[str, int],
    found: Found,
    ids: list[int],
    partners: np.ndarray,
    stored: list[tuple],
) -> Found:
    """The pairs of the changed reports `ids` (`found` anew) and of their `partners`, with
    their ambiguity weighed as a full run weighs it (call under lock(); `stored`: the
    _pair_rows of `ids` and `partners`).

    A pair's ambiguity depends on every pair of both its reports (rules.ambiguous). The pairs of
    unchanged reports are what a full run finds, stored: read by index, the partners' and their
    partners', rather than searched again in their whole neighbourhood. A pair an analyst made by
    hand stores no evidence: its two reports are scored again.
    """
    changed = np.asarray(ids, dtype=np.int64)
    skip = set(ids)
    of_partners = {
        (first, second): tuple(values)
        for _id, first, second, _state, *values in stored
        if first not in skip and second not in skip
    }
    reached = np.array([k for key in of_partners for k in key], dtype=np.int64)
    further = np.setdiff1d(reached, np.concatenate([partners, changed]))
    every = {**_stored_pairs(further, changed), **of_partners}
    by_hand = {key for key, values in every.items() if values[1] is None}
    if by_hand:
        ends = sorted({k for key in by_hand for k in key})
        hand_arrays, hand_source = load_reports(
            events_store_for(connection).with_ids(candidates_scope(), ends), datasets
        )
        scored = _found(hand_arrays, rules.find_pairs(hand_arrays, hand_source)).pairs
        for key in by_hand:
            if key in scored:
                every[key] = scored[key]
            else:
                del every[key]
    every.update(found.pairs)
    # A report source per report: those read, then the others'.
    code = dict(zip(arrays.ids.tolist(), source.tolist(), strict=True))
    missing = sorted({k for key in every for k in key} - code.keys())
    if missing:
        lookup = events_store_for(connection).id_lookup(missing)
        for incident_id, dataset, author in Incident.objects.filter(id__in=lookup).values_list(
            "id", "source_dataset", "created_by_id"
        ):
            if dataset:
                code[incident_id] = datasets.setdefault(dataset, len(datasets) + 1)
            else:
                code[incident_id] = -1 if author is None else -1 - author
    listed = list(every)
    members = np.unique(np.array(listed, dtype=np.int64).ravel()) if listed else np.empty(0, np.int64)
    first = np.searchsorted(members, np.array([k[0] for k in listed], dtype=np.int64))
    second = np.searchsorted(members, np.array([k[1] for k in listed], dtype=np.int64))
    score = np.array([every[k][0] for k in listed], dtype=float)
    member_source = np.array([code[m] for m in members.tolist()], dtype=np.int64)
    flags = rules.ambiguous(first, second, score, member_source).tolist()
    touched = set(changed.tolist()) | set(partners.tolist())
    result = {
        key: (*every[key][:-1], flag)
        for key, flag in zip(listed, flags, strict=True)
        if key[0] in touched or key[1] in touched
    }
    return Found(result)


def _reach_boxes(arrays: engine_rules.IncidentArrays, index: np.ndarray) -> store.Boxes:
    """Per report at `index`, per compatible category, the box holding every report it may pair
    with: starting at most MAX_WINDOW + TIME_SLACK before it (DAY + TIME_SLACK for one whose window
    is a day at most), and TIME_SLACK after its end; within its radius + MAX_RADIUS_KM + BASE_KM
    (a second and a few metres of margin)."""
    boxes: store.Boxes = ([], [], [], [], [], [], [], [])
    km = arrays.radius_km[index] + rules.MAX_RADIUS_KM + rules.BASE_KM + 0.01
    d_lat = km / KM_PER_DEGREE_LAT
    lat, lon = arrays.lat[index], arrays.lon[index]
    widest = np.minimum(np.maximum(np.abs(lat - d_lat), np.abs(lat + d_lat)), 89.0)
    d_lon = km / (KM_PER_DEGREE_LON_AT_EQUATOR * np.cos(np.radians(widest)))
    earliest = arrays.starts[index] - rules.MAX_WINDOW - rules.TIME_SLACK - 1
    # A report with a window of a day at most ends within a day of its start.
    day_wide_from = arrays.starts[index] - engine_rules.DAY - rules.TIME_SLACK - 1
    latest = arrays.ends[index] + rules.TIME_SLACK + 1
    for i, code in enumerate(arrays.category[index].tolist()):
        for category in rules.COMPATIBLE_CATEGORIES[code]:
            for part, value in zip(
                boxes,
                (
                    category,
                    earliest[i],
                    day_wide_from[i],
                    latest[i],
                    lat[i] - d_lat[i],
                    lat[i] + d_lat[i],
                    lon[i] - d_lon[i],
                    lon[i] + d_lon[i],
                ),
                strict=True,
            ):
                part.append(value)
    return boxes


def _neighbourhood(
    ids: list[int], datasets: dict[str, int]
) -> tuple[engine_rules.IncidentArrays, np.ndarray]:
    """The changed reports `ids` that may pair, with every report they may pair with: those in
    their own boxes in time and space (_reach_boxes), read by index. Nothing proportional to the
    whole table: about a hundred reports per changed one at a million."""
    store = events_store_for(connection)
    arrays, source = load_reports(store.with_ids(candidates_scope(), ids), datasets)
    index = np.flatnonzero(rules.eligible(arrays))
    if not len(index):
        return arrays, source
    near = store.within(candidates_scope(), _reach_boxes(arrays, index), exclude=arrays.ids)
    more, more_source = load_reports(near, datasets)
    arrays = engine_rules.IncidentArrays(
        **{
            name: np.concatenate([getattr(arrays, name), getattr(more, name)])
            for name in arrays.__dataclass_fields__
        }
    )
    return arrays, np.concatenate([source, more_source])


def _batches(ids: list[int]) -> Iterable[set[int]]:
    for start in range(0, len(ids), ID_BATCH):
        yield set(ids[start : start + ID_BATCH])


def lock(run: int | None = None) -> bool:
    """Take the grouping lock until the transaction ends (see GroupingLock).

    Without `run`, alone. With `run`, the number of a full regrouping (begin_full): shared with
    that regrouping's other chunks, which write disjoint rows; False if a later regrouping has
    begun since, and the caller then writes nothing.
    """
    GroupingLock.objects.get_or_create(pk=1)
    if run is None:
        GroupingLock.objects.select_for_update().get(pk=1)
        return True
    return events_store_for(connection).share_lock() == run


# --- Events ----------------------------------------------------------------------------------------


def _connected(ids: Iterable[int]) -> tuple[set[int], list[tuple]]:
    """`ids` with every incident linked to them through linking pairs or a shared event, and
    every pair (first, second, state, score) of those incidents, read on the way."""
    found, frontier, pairs = set(), set(ids), {}
    while frontier:
        found |= frontier
        more = set()
        for part in _batches(sorted(frontier)):
            store = events_store_for(connection)
            # The state is filtered here, not in SQL: with statistics older than the pairs (a
            # table just filled) the planner would read every pair through its state index.
            for first, second, state, score in store.pairs_of(sorted(part)).values_list(
                "first_id", "second_id", "state", "score"
            ):
                pairs[first, second] = (first, second, state, score)
                if state in LINKING_STATES:
                    more.update((first, second))
            # Two lookups by id, no join and no test of the event column: with statistics that
            # still see an empty column, either would read every grouped incident.
            lookup = store.id_lookup(sorted(part))
            events = set(Incident.objects.filter(id__in=lookup).values_list("event", flat=True)) - {None}
            if events:
                members = Incident.objects.filter(event__in=store.id_lookup(sorted(events)))
                more.update(members.values_list("id", flat=True))
        frontier = more - found
    return found, sorted(pairs.values(), key=lambda pair: (-pair[3], pair[0], pair[1]))


def rebuild(ids: Iterable[int]) -> dict[str, int]:
    """Rebuild the events of `ids` and of every incident connected to them (call under lock())."""
    members, pairs = _connected(ids)
    return _write_events(np.array(sorted(members), dtype=np.int64), PairArrays.from_rows(pairs))


STATE_CODES = {state: code for code, state in enumerate(PairState.values)}
LINKING_CODES = [STATE_CODES[state] for state in LINKING_STATES]


@dataclass
class PairArrays:
    """Stored pairs as arrays: (first id, second id, state as STATE_CODES, score) per pair."""

    first: np.ndarray
    second: np.ndarray
    state: np.ndarray
    score: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> "PairArrays":
        """From (first, second, state, score) tuples."""
        return cls(
            np.array([row[0] for row in rows], dtype=np.int64),
            np.array([row[1] for row in rows], dtype=np.int64),
            np.array([STATE_CODES[row[2]] for row in rows], dtype=np.int64),
            np.array([row[3] for row in rows], dtype=float),
        )

    def ends(self) -> np.ndarray:
        """Every report of a pair, sorted, once."""
        return np.unique(np.concatenate([self.first, self.second]))


def _all_pairs() -> PairArrays:
    """Every stored pair, in one binary read."""
    query = (
        CandidatePair.objects.order_by()
        .annotate(code=_code("state", STATE_CODES))
        .values_list("first_id", "second_id", "code", "score")
    )
    sql, params = query.query.sql_with_params()
    matrix = store_for(connection).read_floats(sql, params, ["first_id", "second_id", "code", "score"])
    ids = matrix[:, :3].astype(np.int64)
    return PairArrays(ids[:, 0], ids[:, 1], ids[:, 2], matrix[:, 3])


def rebuild_all(
    now: dt.datetime | None = None,
    *,
    part: int = 0,
    parts: int = 1,
    run: int | None = None,
    step: str | None = None,
) -> dict[str, int]:
    """Rebuild every event from the stored pairs, or, with `parts`, one part of them: the events
    whose anchor (lowest id) is `part` modulo `parts`, with their members, and the incidents of
    that residue that are in no event. Each part reads every pair (a group is known only once
    all are) and writes rows no other part writes, so the parts of a regrouping (`run`) run
    side by side on several workers. One part alone (the default) is the whole rebuild and
    finishes the regrouping (finish_full)."""
    with transaction.atomic():
        if not lock(run):
            return {"superseded": 1}
        if begin_step(run, step):
            pairs = _all_pairs()
            counts = _write_events(pairs.ends(), pairs, everything=True, part=part, parts=parts)
        else:  # delivered again: the finish below may be what a killed worker left undone
            counts = {"done before": 1}
    if parts == 1:
        counts.update(finish_full(run, now, sweep=False))
    return counts


def _groups(
    ids: np.ndarray, source: np.ndarray, pairs: PairArrays, part: int = 0, parts: int = 1
) -> tuple[list[list[int]], np.ndarray]:
    """The groups of two or more of the reports `ids` (sorted; `source`: each one's report source
    code): components of the linking pairs between them, with the constraints
    (rules.constrained_groups) applied where a component breaks one.

    Returns the groups whose anchor (lowest id) is `part` modulo `parts`, each sorted, and every
    report in any group (sorted). Vector work over every pair; Python only per component that
    breaks a constraint (two reports of one source, or a pair an analyst split).
    """
    count = len(ids)
    if not count:
        return [], ids
    a = np.minimum(np.searchsorted(ids, pairs.first), count - 1)
    b = np.minimum(np.searchsorted(ids, pairs.second), count - 1)
    both = (ids[a] == pairs.first) & (ids[b] == pairs.second)
    linking = both & np.isin(pairs.state, LINKING_CODES)
    labels = rules.components(count, a[linking], b[linking])
    linked = np.zeros(count, dtype=bool)
    linked[a[linking]] = linked[b[linking]] = True
    nodes = np.flatnonzero(linked)  # ascending ids, so each component's first node is its anchor
    nodes = nodes[np.argsort(labels[nodes], kind="stable")]
    label = labels[nodes]
    # Components with two reports of one source, or with a pair an analyst split in them.
    by_source = np.lexsort((source[nodes], label))
    twice = (label[by_source][1:] == label[by_source][:-1]) & (
        source[nodes][by_source][1:] == source[nodes][by_source][:-1]
    )
    split = both & (pairs.state == STATE_CODES[PairState.SPLIT])
    split_within = split & (labels[a] == labels[b])
    conflicted = set(label[by_source][1:][twice].tolist()) | set(labels[a[split_within]].tolist())
    starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]]) if len(label) else np.zeros(0, np.int64)
    bounds = np.r_[starts, len(label)]
    groups: list[list[int]] = []
    grouped = [ids[nodes]]
    anchors = ids[nodes[starts]]
    mine = (anchors % parts == part).tolist()
    for index, component in enumerate(label[starts].tolist()):
        if component in conflicted:
            continue
        if mine[index]:
            groups.append(ids[nodes[bounds[index] : bounds[index + 1]]].tolist())
    if conflicted:
        grouped = [ids[nodes[~np.isin(label, list(conflicted))]]]
        for group in _constrained(ids, source, pairs, a, labels, linking, split, conflicted):
            grouped.append(np.array(group, dtype=np.int64))
            if group[0] % parts == part:
                groups.append(group)
    return groups, np.sort(np.concatenate(grouped))


def _constrained(
    ids: np.ndarray,
    source: np.ndarray,
    pairs: PairArrays,
    a: np.ndarray,
    labels: np.ndarray,
    linking: np.ndarray,
    split: np.ndarray,
    conflicted: set[int],
) -> list[list[int]]:
    """The groups of two or more reports that the `conflicted` components (labels) break into
    under rules.constrained_groups (`a`: each pair's first report's position in `ids`)."""
    codes = dict(zip(ids.tolist(), source.tolist(), strict=True))
    apart = set(zip(pairs.first[split].tolist(), pairs.second[split].tolist(), strict=True))
    merged = STATE_CODES[PairState.MERGED]
    members: dict[int, set[int]] = {}
    links: dict[int, list[tuple]] = {}
    for i in np.flatnonzero(linking & np.isin(labels[a], list(conflicted))).tolist():
        first, second = int(pairs.first[i]), int(pairs.second[i])
        members.setdefault(int(labels[a[i]]), set()).update((first, second))
        links.setdefault(int(labels[a[i]]), []).append(
            (first, second, float(pairs.score[i]), bool(pairs.state[i] == merged))
        )
    groups = []
    for component in sorted(conflicted):
        for group in rules.constrained_groups(sorted(members[component]), links[component], codes, apart):
            if len(group) > 1:
                groups.append(group)
    return groups


@dataclass
class Members:
    """Reports that are or may be in events, as arrays sorted by id: what grouping them needs
    (their report source) and what their event is made of (_event_values)."""

    ids: np.ndarray
    rejected: np.ndarray  # a rejected report belongs to no event
    source: np.ndarray  # report source: a dataset's code, or -1 - its author's id (-1: none)
    event: np.ndarray  # its event now, -1 for none
    radius: np.ndarray  # place uncertainty, km (inf: unknown)
    window: np.ndarray  # time window, seconds: its end minus its start, or its date precision's
    perpetrator: np.ndarray  # -1: unknown
    killed: np.ndarray
    injured: np.ndarray
    labels: dict[int, str]  # source -> its name in an event's datasets


def _read_members(ids: np.ndarray) -> Members:
    """The reports `ids` still there (sorted), in one binary read per batch."""
    reader, table = store_for(connection), Incident._meta.db_table
    # The datasets' names among them (a few reports: by index, not a read of the whole table).
    names = set()
    for lookup in _lookups(ids.tolist()):
        names.update(_source_codes(Incident.objects.filter(id__in=lookup)))
    datasets = {name: code for code, name in enumerate(sorted(names), start=1)}
    expressions = {
        "e_rejected": Case(When(status=IncidentStatus.REJECTED, then=Value(1)), default=Value(0)),
        "e_source": Case(
            When(source_dataset="", then=-1 - Coalesce(F("created_by_id"), 0)),
            *(When(source_dataset=name, then=Value(code)) for name, code in datasets.items()),
            default=Value(None),  # a dataset first imported since its names were read
            output_field=IntegerField(),
        ),
        "e_event": F("event"),
        "e_radius": Case(
            *(When(location_precision=p, then=Value(km)) for p, km in LOCATION_UNCERTAINTY_KM.items()),
            default=Value(None),
            output_field=FloatField(),
        ),
        "e_window": Case(
            When(
                occurred_until__isnull=False,
                then=reader.epoch_seconds(table, "occurred_until")
                - reader.epoch_seconds(table, "occurred_at"),
            ),
            *(
                When(date_precision=p, then=Value(s))
                for p, s in engine_rules.PRECISION_WINDOW_SECONDS.items()
            ),
            default=Value(None),
            output_field=FloatField(),
        ),
        "e_perpetrator": F("perpetrator_id"),
        "e_killed": sum((F(f) for f in KILLED_FIELDS[1:]), F(KILLED_FIELDS[0])),
        "e_injured": sum((F(f) for f in INJURED_FIELDS[1:]), F(INJURED_FIELDS[0])),
    }
    names = ["id", *expressions]
    found = [np.empty((0, len(names)))]
    for lookup in _lookups(ids.tolist()):
        query = Incident.objects.filter(id__in=lookup).order_by().annotate(**expressions).values_list(*names)
        found.append(reader.read_floats(*query.query.sql_with_params(), names))
    matrix = np.concatenate(found)
    column = dict(zip(names, matrix[np.argsort(matrix[:, 0])].T, strict=True))
    unnamed = np.flatnonzero(np.isnan(column["e_source"]))
    if len(unnamed):
        lookup = events_store_for(connection).id_lookup(column["id"][unnamed].astype(np.int64).tolist())
        named = dict(Incident.objects.filter(id__in=lookup).values_list("id", "source_dataset"))
        for row in unnamed.tolist():
            name = named.get(int(column["id"][row]))  # None: deleted since, no event then
            column["e_source"][row] = datasets.setdefault(name, len(datasets) + 1) if name else -1
    whole = {name: np.nan_to_num(values, nan=-1).astype(np.int64) for name, values in column.items()}
    sources = set(np.unique(whole["e_source"]).tolist())
    authors = {-1 - code for code in sources if code < -1}
    users = dict(get_user_model().objects.filter(id__in=authors).values_list("id", "username"))
    labels = {code: name for name, code in datasets.items()}
    labels.update({code: f"monitor:{users.get(-1 - code) or '?'}" for code in sources if code < 0})
    return Members(
        ids=whole["id"],
        rejected=whole["e_rejected"] == 1,
        source=whole["e_source"],
        event=whole["e_event"],
        radius=np.nan_to_num(column["e_radius"], nan=math.inf),
        window=np.nan_to_num(column["e_window"], nan=math.inf),
        perpetrator=whole["e_perpetrator"],
        killed=whole["e_killed"],
        injured=whole["e_injured"],
        labels=labels,
    )


def _lookups(ids: list[int]) -> Iterable[object]:
    """`ids` as id_lookup()s of as many as the store takes at once."""
    store = events_store_for(connection)
    for start in range(0, len(ids), store.id_batch):
        yield store.id_lookup(ids[start : start + store.id_batch])


def _event_values(members: Members, groups: list[list[int]]) -> list[tuple]:
    """Each group's event fields (EVENT_FIELDS order), from its members' rows: the lead is the
    most precise report (smallest place uncertainty, then time window, then a known party, then
    the lowest id); the casualty figures are rules.casualty_summary of the reports' (the lower
    middle one, with the range), never their sum; the perpetrator is the lead's, or else the one
    most reports name (the first named of those); the datasets are every member's, sorted."""
    if not groups:
        return []
    sizes = np.array([len(group) for group in groups], dtype=np.int64)
    flat = np.fromiter((m for group in groups for m in group), dtype=np.int64, count=int(sizes.sum()))
    group = np.repeat(np.arange(len(groups)), sizes)
    starts = np.cumsum(sizes) - sizes
    at = np.searchsorted(members.ids, flat)
    perpetrator = members.perpetrator[at]
    lead = at[np.lexsort((flat, perpetrator < 0, members.window[at], members.radius[at], group))[starts]]
    summaries = []
    for figures in (members.killed[at], members.injured[at]):
        ordered = figures[np.lexsort((figures, group))]
        summaries += [ordered[starts + (sizes - 1) // 2], ordered[starts], ordered[starts + sizes - 1]]
    lead_ids = members.ids[lead].tolist()
    lead_rows = {}
    for lookup in _lookups(sorted(lead_ids)):
        for row in Incident.objects.filter(id__in=lookup).values_list(
            "id", "occurred_at", "occurred_until", "category", "latitude", "longitude"
        ):
            lead_rows[row[0]] = row[1:]
    parties = members.perpetrator[lead].tolist()
    source = members.source[at].tolist()
    summaries = [figures.tolist() for figures in summaries]
    values = []
    for g, (lead_id, size, start) in enumerate(zip(lead_ids, sizes.tolist(), starts.tolist(), strict=True)):
        party = parties[g]
        if party < 0:  # the lead names none: the one most of the reports name
            named = Counter(p for p in perpetrator[start : start + size].tolist() if p >= 0)
            party = named.most_common(1)[0][0] if named else None
        datasets = sorted({members.labels[code] for code in source[start : start + size]})
        values.append(
            (lead_id, size, *lead_rows[lead_id], party, datasets, *(figures[g] for figures in summaries))
        )
    return values


EVENT_FIELDS = (
    "lead_id",
    "reports",
    "occurred_at",
    "occurred_until",
    "category",
    "latitude",
    "longitude",
    "perpetrator_id",
    "datasets",
    "killed",
    "killed_min",
    "killed_max",
    "injured",
    "injured_min",
    "injured_max",
)


def _write_events(
    members: np.ndarray, pairs: PairArrays, everything: bool = False, part: int = 0, parts: int = 1
) -> dict[str, int]:
    """Make the events of `members` (ids, sorted) agree with their groups by `pairs`; the
    incidents' event column too.

    `everything`: `members` are every report of a stored pair; the events not among the groups
    go, and so does the event of every incident in none. `part` of `parts`: only the groups
    whose anchor, and the incidents in no group whose id, is `part` modulo `parts`.
    """
    read = _read_members(members)
    kept = ~read.rejected  # a report rejected since (or deleted: not read) belongs to no event
    groups, grouped = _groups(read.ids[kept], read.source[kept], pairs, part, parts)
    desired = {group[0]: group for group in groups}  # by anchor: the lowest id
    if everything:
        existing = Event.objects.annotate(slot=F("anchor_id") % parts).filter(slot=part)
    else:
        events = read.event[read.event >= 0].tolist()
        existing = Event.objects.filter(Q(anchor_id__in=list(desired)) | Q(id__in=set(events)))
    # Values, not model instances: a regrouping reads every event.
    current = {values[0]: values[1:] for values in existing.values_list("anchor_id", "id", *EVENT_FIELDS)}
    created, changed = [], []
    now = timezone.now()
    for group, values in zip(groups, _event_values(read, groups), strict=True):
        stored = current.get(group[0])
        if stored is None:
            created.append((group[0], *values))
        elif tuple(stored[1:]) != values:
            fields = dict(zip(EVENT_FIELDS, values, strict=True))
            changed.append(Event(id=stored[0], anchor_id=group[0], updated_at=now, **fields))
    events_store_for(connection).insert(
        Event, ["anchor_id", *EVENT_FIELDS, "updated_at"], [(*row, now) for row in created]
    )
    Event.objects.bulk_update(changed, [*EVENT_FIELDS, "updated_at"], batch_size=1_000)
    # Every report read is in no event unless its group says otherwise (a full rebuild: only
    # those of the part's residue still pointing at one).
    read_ids = [] if everything else read.ids.tolist()
    assignment = _assignment(desired, read_ids, grouped if everything else None, part, parts)
    moved = events_store_for(connection).set_events(sorted(assignment.items()))
    gone = [stored[0] for anchor, stored in current.items() if anchor not in desired]
    if parts > 1 and gone:
        # A report of another part's group points at it until that part commits: finish_full
        # removes it then, so that no report ever points at an event that is not there.
        held = Incident.objects.filter(event__in=events_store_for(connection).id_lookup(gone))
        held = set(held.order_by().values_list("event", flat=True).distinct())
        gone = [event_id for event_id in gone if event_id not in held]
    for start in range(0, len(gone), ID_BATCH):
        Event.objects.filter(id__in=gone[start : start + ID_BATCH]).delete()
    return {
        "events": len(desired),
        "events_created": len(created),
        "events_changed": len(changed),
        "events_removed": len(gone),
        "incidents_moved": moved,
    }


def _assignment(
    desired: dict[int, list[int]],
    read: list[int],
    grouped: np.ndarray | None,
    part: int = 0,
    parts: int = 1,
) -> dict[int, int | None]:
    """Each incident's event id: its group's, or None for the incidents `read` that are in none.

    `grouped` (a full rebuild): every incident in a group (sorted), and then None for every
    incident of the part's residue still pointing at an event but in none.
    """
    if len(desired) < ID_BATCH:
        event_ids = dict(Event.objects.filter(anchor_id__in=list(desired)).values_list("anchor_id", "id"))
    else:
        event_ids = dict(Event.objects.values_list("anchor_id", "id"))
    assignment = dict.fromkeys(read)
    if grouped is not None:
        pointing = (
            Incident.objects.filter(event__isnull=False).annotate(slot=F("id") % parts).filter(slot=part)
        )
        pointing = np.array(pointing.values_list("id", flat=True), dtype=np.int64)
        assignment.update(dict.fromkeys(pointing[~np.isin(pointing, grouped)].tolist()))
    for anchor, group in desired.items():
        for member in group:
            assignment[member] = event_ids[anchor]
    return assignment


# --- Analysts' decisions ---------------------------------------------------------------------------


def _members(event_id: int) -> list[int]:
    return list(Incident.objects.filter(event=event_id).order_by("id").values_list("id", flat=True))


def _decide_pairs(
    pairs: Iterable[tuple[int, int]], state: str, user: AbstractBaseUser | None, now: dt.datetime
) -> None:
    keys = {(min(a, b), max(a, b)) for a, b in pairs if a != b}
    existing = set()
    for part in _batches(sorted({a for a, _ in keys})):
        existing.update(CandidatePair.objects.filter(first_id__in=part).values_list("first_id", "second_id"))
    for first, second in keys & existing:
        CandidatePair.objects.filter(first_id=first, second_id=second).update(
            state=state, decided_by=user, decided_at=now
        )
    CandidatePair.objects.bulk_create(
        [
            CandidatePair(first_id=a, second_id=b, state=state, decided_by=user, decided_at=now)
            for a, b in keys - existing
        ],
        ignore_conflicts=True,
    )


def merge(
    incident_ids: Collection[int],
    *,
    user: AbstractBaseUser | None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Event:
    """Put the listed reports, with the events they belong to, into one event; sticky.

    Every split between them becomes a merge and their leads are linked by an analyst's pair,
    which the job never undoes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock()
        incidents = list(
            Incident.objects.filter(id__in=list(incident_ids)).values_list("id", "event", "status")
        )
        if len(incidents) != len(set(incident_ids)):
            raise StateConflict(gettext("One of these reports no longer exists."))
        if any(status == IncidentStatus.REJECTED for _i, _event, status in incidents):
            raise StateConflict(gettext("A rejected report belongs to no event."))
        events = {event for _i, event, _status in incidents}
        if len(events) == 1 and None not in events:
            raise StateConflict(gettext("These reports are already one event."))
        groups = [[i] if event is None else _members(event) for i, event, _status in incidents]
        everyone = sorted({m for group in groups for m in group})
        if len(everyone) < 2:
            raise StateConflict(gettext("These reports are already one event."))
        heads = [group[0] for group in groups]
        apart = CandidatePair.objects.filter(
            state=PairState.SPLIT, first_id__in=everyone, second_id__in=everyone
        )
        _decide_pairs(list(apart.values_list("first_id", "second_id")), PairState.MERGED, user, now)
        _decide_pairs(zip(heads, heads[1:]), PairState.MERGED, user, now)
        rebuild(everyone)
        event_id = Incident.objects.get(id=heads[0]).event
        if event_id is None:  # cannot happen once rejected reports are refused; never record half a merge
            raise StateConflict(gettext("These reports could not be grouped."))
        EventDecision.objects.create(
            kind=DecisionKind.MERGE,
            event_id_at_decision=event_id,
            incidents=everyone,
            decided_by=user,
            decided_at=now,
            note=note,
        )
        return Event.objects.get(id=event_id)


def split(
    event_id: int,
    incident_ids: Collection[int],
    *,
    user: AbstractBaseUser | None,
    note: str = "",
    now: dt.datetime | None = None,
) -> list[int]:
    """Take the listed reports out of the event; the job never groups them with the rest again.

    Every pair between a listed report and one left in the event becomes an analyst's split.
    Returns the ids of the events the reports now form (none for a report left on its own).
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock()
        members = _members(event_id)
        leaving = set(incident_ids)
        if not members:
            raise StateConflict(gettext("This event no longer exists."))
        if not leaving <= set(members):
            raise StateConflict(gettext("Only reports of this event can be split from it."))
        staying = [m for m in members if m not in leaving]
        if not staying:
            raise StateConflict(gettext("Leave at least one report in the event."))
        _decide_pairs([(a, b) for a in leaving for b in staying], PairState.SPLIT, user, now)
        rebuild(members)
        EventDecision.objects.create(
            kind=DecisionKind.SPLIT,
            event_id_at_decision=event_id,
            incidents=sorted(leaving),
            decided_by=user,
            decided_at=now,
            note=note,
        )
        return sorted(
            {
                e
                for e in Incident.objects.filter(id__in=members).values_list("event", flat=True)
                if e is not None
            }
        )


# --- Counting ------------------------------------------------------------------------------------


def count_events(incidents: QuerySet[Incident]) -> int:
    """How many events these reports are: each event once, a report in no event once."""
    grouped = incidents.filter(event__isnull=False).order_by().values("event").distinct().count()
    return grouped + incidents.filter(event__isnull=True).count()
