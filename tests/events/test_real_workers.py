"""The full regrouping on real Celery workers through Redis: chunks, then parts, then the finish.

No result backend is configured (CELERY_TASK_IGNORE_RESULT: a chord could not even start), so
the steps are counted in the database; the test sends the scheduled task as the beat does, to
workers that send the steps on through Redis as in production, and waits for what it leaves.
"""

import io
import threading

import pytest
from django.db import connection, connections

from events import services
from events.models import CandidatePair, Event, GroupingLock, GroupingStep
from incidents.models import Incident
from tests.workers import Workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workers():
    workers = Workers()
    yield workers
    workers.stop()


def _strikes(report, days=12):
    """`days` strikes three days apart, each reported by two datasets and one monitor."""
    for day in range(days):
        report("ucdp", hours=72 * day)
        report("acled", hours=72 * day + 2, km_north=1)
        report("", hours=72 * day + 5, km_north=2)


def _state():
    """Pairs, each incident's event by its anchor (new events get new ids), and the events."""
    anchors = dict(Event.objects.values_list("id", "anchor_id"))
    return (
        sorted(CandidatePair.objects.values_list("first_id", "second_id", "state")),
        sorted((i, anchors.get(event)) for i, event in Incident.objects.values_list("id", "event")),
        sorted(Event.objects.values_list("anchor_id", "lead_id", "reports", "datasets")),
    )


def _finished():
    state = GroupingLock.objects.filter(pk=1).values_list("full_run", "last_full_at").first()
    return state is not None and state[1] is not None


@pytest.mark.services
def test_two_workers_regroup_in_chunks_and_parts_as_one_process_does(report, workers):
    _strikes(report)
    services.group_all()
    expected = _state()
    assert len(expected[2]) == 12
    CandidatePair.objects.all().delete()
    Event.objects.all().delete()
    Incident.objects.update(event=None)
    GroupingLock.objects.filter(pk=1).update(last_full_at=None)

    workers.start("w1", eager=False), workers.start("w2", eager=False)
    workers.send("events.tasks.group_all", chunks=3)
    wait_for(_finished, timeout=120, what="the regrouping on the workers")
    assert _state() == expected
    run = GroupingLock.objects.get(pk=1).full_run
    assert sorted(GroupingStep.objects.filter(run=run).values_list("step", flat=True)) == [
        "events 0",
        "events 1",
        "events 2",
        "pairs 0",
        "pairs 1",
        "pairs 2",
        "sent events",
        "sent finish",
    ]


def test_a_regrouping_begun_later_supersedes_the_steps_of_an_earlier_one(report):
    _strikes(report, days=3)
    CandidatePair.objects.all().delete()  # what saving them grouped
    Event.objects.all().delete()
    Incident.objects.update(event=None)
    earlier = services.begin_full()
    later = services.begin_full()
    assert services.group_chunk(run=earlier, step="pairs 0") == {"superseded": 1}
    assert services.rebuild_all(run=earlier, step="events 0") == {"superseded": 1}
    assert not CandidatePair.objects.exists() and not GroupingStep.objects.filter(run=earlier).exists()
    services.group_chunk(run=later, step="pairs 0")
    services.rebuild_all(run=later, step="events 0")
    assert Event.objects.count() == 3
    assert GroupingLock.objects.get(pk=1).last_full_at is not None


def test_a_redelivered_step_counts_once_and_sends_the_next_step_once(report, monkeypatch):
    from events import tasks

    _strikes(report, days=2)
    sent = []
    rebuild_all = services.rebuild_all
    monkeypatch.setattr(
        services, "rebuild_all", lambda **kwargs: sent.append(kwargs) or rebuild_all(**kwargs)
    )
    run = services.begin_full()
    tasks.group_chunk.apply(args=(None, None, run, 0, 1))
    tasks.group_chunk.apply(args=(None, None, run, 0, 1))  # the broker delivers it again
    assert sent == [{"part": 0, "parts": 1, "run": run, "step": "events 0"}]
    assert sorted(GroupingStep.objects.filter(run=run).values_list("step", flat=True)) == [
        "events 0",
        "pairs 0",
        "sent events",
    ]
    assert Event.objects.count() == 2


def test_the_command_sends_the_regrouping_without_waiting_for_a_result(report, monkeypatch):
    from django.core.management import call_command

    from events import tasks

    sent = []
    monkeypatch.setattr(tasks.group_all, "apply_async", lambda args, kwargs, **options: sent.append(kwargs))
    out = io.StringIO()
    call_command("group_events", "--full", "--chunks", "3", "--workers", stdout=out)
    assert sent == [{"chunks": 3}]
    assert "Sent the regrouping to the workers in up to 3 chunk(s)" in out.getvalue()


def test_between_two_parts_no_report_points_at_an_event_that_is_gone(report):
    x, y, z = report("ucdp"), report("acled", km_north=1), report("", km_north=2)
    assert len({i.event for i in Incident.objects.all()}) == 1  # one event, anchored at x
    # The evidence changes: only y and z are one happening now.
    CandidatePair.objects.all().delete()
    CandidatePair.objects.create(first=y, second=z, state="auto", score=0.9)
    run = services.begin_full()
    first = x.id % 2  # the part of x's old event, whose reports y and z now form the other part's
    services.rebuild_all(part=first, parts=2, run=run, step=f"events {first}")
    events = set(Event.objects.values_list("id", flat=True))
    pointed = set(Incident.objects.exclude(event=None).values_list("event", flat=True))
    assert pointed <= events
    services.rebuild_all(part=1 - first, parts=2, run=run, step=f"events {1 - first}")
    assert services.finish_full(run)["events_removed"] == 1  # x's old event, no longer pointed at
    event = Event.objects.get()
    assert (event.anchor_id, event.reports) == (y.id, 2)
    assert dict(Incident.objects.values_list("id", "event")) == {x.id: None, y.id: event.id, z.id: event.id}


def test_a_part_delivered_twice_at_once_runs_once(report):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: there is no race to test")
    _strikes(report, days=4)
    CandidatePair.objects.all().delete()
    Event.objects.all().delete()
    Incident.objects.update(event=None)
    run = services.begin_full()
    services.group_chunk(run=run, step="pairs 0")
    results, errors = [], []

    def deliver():
        try:
            results.append(services.rebuild_all(part=0, parts=2, run=run, step="events 0"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.get("done before", 0) for r in results) == [0, 1]
