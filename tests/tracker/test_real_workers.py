"""The engine's tasks through Redis to real worker processes, as deployed.

Two workers scanning at once create no duplicate; a worker killed with SIGKILL half-way
through a full scan, then a rerun, ends with exactly the violations a clean run gives.
"""

import datetime as dt
import random

import pytest

from agreements.choices import DeadlineStatus
from agreements.models import Deadline
from incidents.models import Incident
from tests.factories import AreaFactory, ClauseFactory, DeadlineFactory, PartyFactory, square
from tests.workers import Workers, wait_for
from tracker import rules, services
from tracker.choices import JobKind, JobStatus
from tracker.models import JobRun, Violation

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
UTC = dt.UTC


@pytest.fixture
def workers():
    workers = Workers()
    yield workers
    workers.stop()


def build_world(incidents=60_000, clauses=20, seed=7):
    rng = random.Random(seed)
    party = PartyFactory(name="Syrian government")
    for i in range(clauses):
        zone = AreaFactory(geometry=square(36.0 + 0.07 * i, 35.8, 0.25))
        ClauseFactory(
            areas=[zone], obligated_parties=[party], prohibited_categories=["shelling", "air_strike"]
        )
    start = dt.datetime(2019, 1, 1, tzinfo=UTC)
    Incident.objects.bulk_create(
        [
            Incident(
                occurred_at=start + dt.timedelta(hours=rng.randrange(0, 8000)),
                longitude=rng.uniform(35.6, 37.8),
                latitude=rng.uniform(35.4, 36.2),
                category=rng.choice(["shelling", "air_strike", "patrol"]),
                perpetrator=party if rng.random() < 0.8 else None,
            )
            for _ in range(incidents)
        ],
        batch_size=5000,
    )


def expected_violations():
    """What a clean run must produce, computed from the rules alone."""
    specs = services.clause_specs()
    incidents = services.load_incidents(Incident.objects.all())
    return {(int(i), spec.id) for spec in specs for i in rules.match_clause(incidents, spec).incident_ids}


def violations():
    return list(Violation.objects.values_list("incident_id", "clause_id"))


def finished_runs(kind):
    return JobRun.objects.filter(kind=kind, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED])


def test_a_task_sent_through_redis_changes_the_database(workers):
    deadline = DeadlineFactory(due_date=dt.date(2018, 12, 31))
    workers.start("w1")
    workers.send("tracker.tasks.check_deadlines", at="2019-01-01T00:00:00+00:00")
    wait_for(
        lambda: Deadline.objects.get(id=deadline.id).status == DeadlineStatus.MISSED, what="deadline missed"
    )


def test_two_workers_scanning_at_once_create_no_duplicate(workers):
    build_world(incidents=20_000)
    expected = expected_violations()
    workers.start("w1"), workers.start("w2")
    workers.send("tracker.tasks.scan_violations", full=True)
    workers.send("tracker.tasks.scan_violations", full=True)
    wait_for(lambda: finished_runs(JobKind.SCAN_FULL).count() == 2, timeout=180, what="two full scans")
    assert set(finished_runs(JobKind.SCAN_FULL).values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    found = violations()
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_a_worker_killed_mid_scan_then_a_rerun_gives_the_clean_result(workers):
    build_world()
    expected = expected_violations()
    assert len(expected) > 50_000  # large enough that the scan takes a while
    victim = workers.start("victim", TRACKER_SCAN_INCIDENTS_PER_COMMIT="5000")  # several commits
    workers.send("tracker.tasks.scan_violations", full=True)
    wait_for(lambda: Violation.objects.count() > 0, timeout=120, what="the scan to start writing")
    workers.kill(victim)
    killed_run = JobRun.objects.get(kind=JobKind.SCAN_FULL)
    assert killed_run.status == JobStatus.RUNNING  # it really died half-way
    assert 0 < Violation.objects.count() < len(expected)

    workers.start("rerun")
    workers.send("tracker.tasks.scan_violations", full=True)
    wait_for(lambda: finished_runs(JobKind.SCAN_FULL).exists(), timeout=300, what="the rerun")
    assert finished_runs(JobKind.SCAN_FULL).get().status == JobStatus.SUCCEEDED
    found = violations()
    assert len(found) == len(set(found))
    assert set(found) == expected


def full_scan_done():
    run = finished_runs(JobKind.SCAN_FULL).first()
    return run is not None and run.status == JobStatus.SUCCEEDED


def test_a_full_scan_in_chunks_shared_by_two_workers_gives_the_clean_result(workers):
    build_world(incidents=20_000)
    expected = expected_violations()
    # Workers that send the chunks on through Redis, as in production (not run inside the scan).
    workers.start("w1", eager=False), workers.start("w2", eager=False)
    workers.send("tracker.tasks.scan_violations", full=True, chunks=4)
    wait_for(lambda: finished_runs(JobKind.SCAN_FULL).exists(), timeout=180, what="the chunked scan")
    run = finished_runs(JobKind.SCAN_FULL).get()
    assert run.status == JobStatus.SUCCEEDED
    assert list(run.chunks.values_list("status", flat=True)) == [JobStatus.SUCCEEDED] * 4
    found = violations()
    assert len(found) == len(set(found))
    assert set(found) == expected
    assert run.counts["created"] == len(expected)


def test_a_worker_killed_in_a_chunk_then_the_chunk_redelivered_gives_the_clean_result(workers):
    build_world()
    expected = expected_violations()
    victim = workers.start("victim")
    workers.send("tracker.tasks.scan_violations", full=True, chunks=2)
    wait_for(lambda: Violation.objects.count() > 0, timeout=120, what="the first chunk to start writing")
    workers.kill(victim)
    run = JobRun.objects.get(kind=JobKind.SCAN_FULL)
    assert run.status == JobStatus.RUNNING  # it really died half-way
    assert 0 < Violation.objects.count() < len(expected)

    workers.start("rerun")  # takes the chunk still queued
    # What the broker does with the killed task once its visibility timeout has passed.
    for chunk_id in run.chunks.exclude(status=JobStatus.SUCCEEDED).values_list("id", flat=True):
        workers.send("tracker.tasks.scan_chunk", chunk_id=chunk_id)
    wait_for(full_scan_done, timeout=300, what="the chunks to finish")
    found = violations()
    assert len(found) == len(set(found))
    assert set(found) == expected
