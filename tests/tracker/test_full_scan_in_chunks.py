"""A full scan split into id ranges gives exactly what one scan over everything gives.

The chunks cover every incident once, whatever their number and the gaps in the ids; each
chunk is idempotent, a chunk killed half-way is finished by running it again, and the run is
recorded once, succeeded when its last chunk is.
"""

import datetime as dt
import math
import random

import numpy as np
import pytest
from django.core.management import call_command

from incidents.choices import IncidentStatus, LocationPrecision
from incidents.models import Incident
from tests.factories import AreaFactory, ClauseFactory, PartyFactory, square
from tracker import events, services, tasks
from tracker.choices import JobKind, JobStatus, ViolationStatus
from tracker.models import JobRun, Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2020, 6, 1, tzinfo=UTC)


@pytest.fixture
def world():
    """7 clauses and 400 incidents, some breaching several clauses."""
    rng = random.Random(3)
    party = PartyFactory(name="Syrian government")
    for i in range(7):
        ClauseFactory(
            areas=[AreaFactory(geometry=square(36.0 + 0.1 * i, 35.8, 0.3))],
            obligated_parties=[party],
            prohibited_categories=["shelling", "air_strike"],
        )
    Incident.objects.bulk_create(
        Incident(
            occurred_at=dt.datetime(2019, 1, 1, tzinfo=UTC) + dt.timedelta(hours=rng.randrange(8000)),
            longitude=rng.uniform(35.8, 36.9),
            latitude=rng.uniform(35.5, 36.1),
            category=rng.choice(["shelling", "air_strike", "patrol"]),
            location_precision=rng.choice([LocationPrecision.EXACT, LocationPrecision.NEAR]),
            perpetrator=party if rng.random() < 0.8 else None,
            status=IncidentStatus.REJECTED if rng.random() < 0.05 else IncidentStatus.VERIFIED,
        )
        for _ in range(400)
    )
    # Gaps in the ids, as deletions leave them.
    Incident.objects.filter(
        id__in=list(Incident.objects.order_by("id").values_list("id", flat=True)[50:90])
    ).delete()


def analysts_and_stale_state(analyst):
    """Violations a scan must respect or correct: a dismissed and a confirmed one (never touched),
    a withdrawn one that matches again, and a flagged one that no longer matches."""
    services.scan_violations(full=True, now=NOW - dt.timedelta(days=1))
    # The first violation of each incident, so that moving an incident away touches only its own.
    firsts = {}
    for violation in Violation.objects.order_by("id"):
        firsts.setdefault(violation.incident_id, violation)
    flagged = list(firsts.values())
    assert len(flagged) > 40
    services.review_violation(flagged[0].id, status=ViolationStatus.DISMISSED, user=analyst)
    services.review_violation(flagged[1].id, status=ViolationStatus.CONFIRMED, user=analyst)
    Violation.objects.filter(id=flagged[2].id).update(status=ViolationStatus.WITHDRAWN)
    Incident.objects.filter(id=flagged[3].incident_id).update(longitude=40.0)  # moved far away
    Incident.objects.filter(id=flagged[0].incident_id).update(longitude=40.0)  # dismissed stays dismissed
    Violation.objects.filter(id=flagged[4].id).update(confidence="low", reasons=["stale"])


def outcome():
    rows = Violation.objects.values_list(
        "incident_id", "clause_id", "status", "confidence", "reasons", "flagged_at"
    )
    return {(*row[:4], tuple(row[4]), row[5]) for row in rows}


@pytest.mark.parametrize(
    ("chunks", "per_commit"),
    # Chunks, then commits part by part: 0 is one transaction per chunk, 1 one per incident.
    [(2, 50_000), (3, 50_000), (7, 50_000), (360, 50_000), (1000, 50_000), (2, 0), (2, 1), (2, 7), (1, 150)],
)
def test_a_scan_in_chunks_ends_as_a_scan_in_one(world, analyst, settings, chunks, per_commit):
    analysts_and_stale_state(analyst)
    initial = list(Violation.objects.values())
    one = services.scan_violations(full=True, now=NOW)
    expected = outcome()

    Violation.objects.all().delete()
    Violation.objects.bulk_create(Violation(**row) for row in initial)
    settings.TRACKER_SCAN_INCIDENTS_PER_COMMIT = per_commit
    split = services.scan_violations(full=True, now=NOW, chunks=chunks)

    assert outcome() == expected
    assert split == one
    assert split["withdrawn"] >= 1 and split["reflagged"] >= 1 and split["updated"] >= 1


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("bounds", [(None, None), (10, None), (None, 40), (10, 40)])
def test_the_commit_parts_cover_the_range_in_order(size, bounds):
    ids = services.IdRange(*bounds)
    read = np.array([31, 12, 17, 13, 30])  # as the incidents were read: any order
    parts = services._parts(ids, read, size)

    assert parts[0].start == ids.start and parts[-1].stop == ids.stop
    assert all(a.stop == b.start for a, b in zip(parts, parts[1:]))

    def held(part):
        lower = -math.inf if part.start is None else part.start
        upper = math.inf if part.stop is None else part.stop
        return [i for i in sorted(read.tolist()) if lower <= i < upper]

    assert [i for part in parts for i in held(part)] == sorted(read.tolist())  # each once, in id order
    assert [len(held(part)) for part in parts] == [min(size, 5 - k * size) for k in range(len(parts))]
    assert len(parts) == -(-5 // size)


@pytest.mark.parametrize("size", [0, -3])
def test_a_commit_size_below_one_keeps_the_range_whole(size):
    ids = services.IdRange(10, 40)
    assert services._parts(ids, np.array([31, 12, 17]), size) == [ids]


@pytest.mark.parametrize("chunks", [1, 2, 3, 4, 359, 360, 361, 1000])
def test_the_ranges_hold_every_incident_once_in_near_equal_parts(world, chunks):
    ranges = services.incident_id_ranges(chunks)
    ids = list(Incident.objects.values_list("id", flat=True))
    counts = [ids_range.filter(Incident.objects.all()).count() for ids_range in ranges]
    assert sum(counts) == len(ids) == 360
    assert ranges[0].start is None and ranges[-1].stop is None  # newer incidents fall in the last
    assert all(a.stop == b.start for a, b in zip(ranges, ranges[1:]))
    assert len(ranges) == min(chunks, 360)
    assert max(counts) - min(counts) <= 1


def test_a_second_run_in_chunks_changes_nothing(world):
    services.scan_violations(full=True, now=NOW, chunks=3)
    before = outcome()
    counts = services.scan_violations(full=True, now=NOW + dt.timedelta(hours=1), chunks=3)
    assert outcome() == before
    assert counts["created"] == counts["updated"] == counts["withdrawn"] == counts["reflagged"] == 0


def test_the_run_is_recorded_once_with_the_chunks_counts_added_up(world):
    counts = services.scan_violations(full=True, now=NOW, chunks=3)
    run = JobRun.objects.get(kind=JobKind.SCAN_FULL)
    chunks = list(run.chunks.all())
    assert run.status == JobStatus.SUCCEEDED and run.finished_at and run.parameters["chunks"] == 3
    assert [c.status for c in chunks] == [JobStatus.SUCCEEDED] * 3
    assert run.counts == counts
    assert counts["created"] == Violation.objects.count() == sum(c.counts["created"] for c in chunks)
    assert counts["clauses"] == 7
    assert services.last_scan_started() == run.started_at


def test_a_chunk_killed_half_way_is_finished_by_running_it_again(world, monkeypatch, settings):
    services.scan_violations(full=True, now=NOW)
    expected = outcome()
    Violation.objects.all().delete()

    run_id, chunk_ids = services.start_full_scan(3, now=NOW)
    services.scan_chunk(chunk_ids[0])
    settings.TRACKER_SCAN_INCIDENTS_PER_COMMIT = 2  # several commits in a small chunk
    real_apply = services.apply_matches
    calls = []

    def killed_after_the_first_commit(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt("killed")
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(services, "apply_matches", killed_after_the_first_commit)
    with pytest.raises(KeyboardInterrupt):
        services.scan_chunk(chunk_ids[1])
    monkeypatch.setattr(services, "apply_matches", real_apply)
    # What SIGKILL leaves: the chunk still marked running, its first part committed.
    JobRun.objects.filter(id=chunk_ids[1]).update(status=JobStatus.RUNNING, error="")
    assert 0 < Violation.objects.count() < len(expected)
    assert JobRun.objects.get(id=run_id).status != JobStatus.SUCCEEDED

    services.scan_chunk(chunk_ids[2])
    assert JobRun.objects.get(id=run_id).status != JobStatus.SUCCEEDED  # one chunk still unfinished
    services.scan_chunk(chunk_ids[1])  # the redelivered task
    services.scan_chunk(chunk_ids[1])  # and a duplicate delivery: nothing to do

    assert outcome() == expected
    assert JobRun.objects.get(id=run_id).status == JobStatus.SUCCEEDED


def test_a_chunk_that_fails_fails_the_run_until_a_retry_succeeds(world, monkeypatch):
    run_id, chunk_ids = services.start_full_scan(2, now=NOW)
    services.scan_chunk(chunk_ids[0])
    monkeypatch.setattr(services, "load_incidents", lambda queryset: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.scan_chunk(chunk_ids[1])
    run = JobRun.objects.get(id=run_id)
    assert run.status == JobStatus.FAILED and "ZeroDivisionError" in run.error
    monkeypatch.undo()
    services.scan_chunk(chunk_ids[1])  # the task's retry
    assert JobRun.objects.get(id=run_id).status == JobStatus.SUCCEEDED


def test_each_flagged_violation_is_announced_once_across_chunks(world):
    announced = []

    def listener(sender, ids, **kwargs):
        announced.extend(ids)

    events.violations_flagged.connect(listener)
    try:
        services.scan_violations(full=True, now=NOW, chunks=4)
    finally:
        events.violations_flagged.disconnect(listener)
    assert sorted(announced) == sorted(Violation.objects.values_list("id", flat=True))


def test_a_rescan_announces_what_it_flags_and_nothing_else(world, analyst, settings):
    analysts_and_stale_state(analyst)
    untouched = (
        Violation.objects.filter(status=ViolationStatus.FLAGGED)
        .exclude(reasons=["stale"])
        .exclude(incident__longitude=40.0)
    )
    untouched.order_by("id").last().delete()  # matched again: a new violation
    announced = []

    def listener(sender, ids, **kwargs):
        announced.append(ids)

    settings.TRACKER_SCAN_INCIDENTS_PER_COMMIT = 7
    events.violations_flagged.connect(listener)
    try:
        counts = services.scan_violations(full=True, now=NOW, chunks=2)
    finally:
        events.violations_flagged.disconnect(listener)
    flagged_now = Violation.objects.filter(status=ViolationStatus.FLAGGED, flagged_at=NOW)
    assert counts["created"] == 1 and counts["reflagged"] >= 1 and counts["updated"] >= 1
    # The new one and the withdrawn ones matched again, each once; not the updated or reviewed.
    assert sorted(i for ids in announced for i in ids) == sorted(flagged_now.values_list("id", flat=True))
    assert len(flagged_now) == counts["created"] + counts["reflagged"]
    assert all(ids == sorted(ids) for ids in announced)


def test_the_task_sends_the_chunks_as_a_group(world, settings):
    settings.TRACKER_SCAN_CHUNKS = 3
    counts = tasks.scan_violations.delay(full=True).get()  # eager in the tests: the group runs here
    assert counts == {"chunks": 3}
    run = JobRun.objects.get(kind=JobKind.SCAN_FULL)
    assert run.status == JobStatus.SUCCEEDED
    assert run.chunks.count() == 3 and run.counts["created"] == Violation.objects.count() > 0


def test_the_command_runs_a_full_scan_in_chunks(world, capsys):
    call_command("scan_violations", "--full", "--chunks", "3")
    assert f"{Violation.objects.count()} new violation(s)" in capsys.readouterr().out
    assert JobRun.objects.get(kind=JobKind.SCAN_FULL).chunks.count() == 3
