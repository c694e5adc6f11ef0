"""The full regrouping on real Celery workers through Redis: chunks, then parts, then the finish.

No result backend is configured (CELERY_TASK_IGNORE_RESULT: a chord could not even start), so
the steps are counted in the database; the test sends the scheduled task as the beat does, to
workers that send the steps on through Redis as in production, and waits for what it leaves.
"""

import io

import pytest

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
    assert "Sent the regrouping to the workers in 3 chunk(s)" in out.getvalue()
