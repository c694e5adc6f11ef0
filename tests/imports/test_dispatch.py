"""An import job is run once however many messages name it; a dead worker's job runs again."""

import datetime as dt

import pytest
from django.utils import timezone

from imports import dispatch
from imports.jobs import run_import_job
from imports.models import ImportJob

pytestmark = pytest.mark.django_db


def job(**fields):
    fields.setdefault("file", "imports/2019/04/acled.csv")
    return ImportJob.objects.create(format="acled", **fields)


def test_a_second_message_for_a_running_job_does_nothing():
    running = job(status=ImportJob.Status.RUNNING, started_at=timezone.now(), queued_at=timezone.now())
    assert run_import_job(running.pk) is None
    running.refresh_from_db()
    assert running.status == ImportJob.Status.RUNNING


def test_a_job_a_dead_worker_left_running_is_sent_again(monkeypatch):
    sent = []
    monkeypatch.setattr(dispatch, "enqueue", lambda task, job_id: sent.append(job_id) or True)
    now = timezone.now()
    stale = job(status=ImportJob.Status.RUNNING, started_at=now - dt.timedelta(hours=3), queued_at=now)
    fresh = job(status=ImportJob.Status.RUNNING, started_at=now - dt.timedelta(minutes=5), queued_at=now)

    assert dispatch.dispatch_pending_imports(now=now) == 1
    assert sent == [stale.pk]
    stale.refresh_from_db(), fresh.refresh_from_db()
    assert stale.status == ImportJob.Status.PENDING and stale.queued_at is not None
    assert fresh.status == ImportJob.Status.RUNNING


def test_a_long_import_of_the_command_is_left_alone(monkeypatch):
    monkeypatch.setattr(dispatch, "enqueue", lambda task, job_id: True)
    now = timezone.now()
    command = job(
        file="",
        source_path="/data/acled.csv",
        status=ImportJob.Status.RUNNING,
        started_at=now - dt.timedelta(hours=3),
    )
    assert dispatch.dispatch_pending_imports(now=now) == 0
    command.refresh_from_db()
    assert command.status == ImportJob.Status.RUNNING


def test_a_job_whose_message_was_lost_is_sent_again(monkeypatch):
    sent = []
    monkeypatch.setattr(dispatch, "enqueue", lambda task, job_id: sent.append(job_id) or True)
    now = timezone.now()
    lost = job(queued_at=now - dt.timedelta(hours=1))
    job(queued_at=now - dt.timedelta(minutes=1))  # sent a minute ago: still on its way
    assert dispatch.dispatch_pending_imports(now=now) == 1
    assert sent == [lost.pk]
