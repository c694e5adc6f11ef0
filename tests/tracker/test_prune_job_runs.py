"""Old job-run records are pruned; running ones and the newest of each kind stay."""

import datetime as dt

import pytest
from django.conf import settings as django_settings

from tracker import tasks
from tracker.choices import JobKind, JobStatus
from tracker.models import JobRun
from tracker.services import prune_job_runs

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


def run(kind, days_ago, status=JobStatus.SUCCEEDED):
    started = NOW - dt.timedelta(days=days_ago)
    return JobRun.objects.create(kind=kind, status=status, started_at=started, finished_at=started)


def test_prunes_old_finished_runs_only():
    old = [run(JobKind.SCAN_INCREMENTAL, 100), run(JobKind.SCAN_INCREMENTAL, 95, JobStatus.FAILED)]
    recent = run(JobKind.SCAN_INCREMENTAL, 10)
    stuck = run(JobKind.SCAN_FULL, 200, JobStatus.RUNNING)
    only_deadline_run = run(JobKind.CHECK_DEADLINES, 300)  # the newest of its kind: kept

    assert prune_job_runs(keep_days=90, now=NOW) == 2

    remaining = set(JobRun.objects.values_list("id", flat=True))
    assert remaining == {recent.id, stuck.id, only_deadline_run.id}
    assert not remaining & {r.id for r in old}


def test_nothing_to_prune():
    run(JobKind.SCAN_FULL, 1)
    assert prune_job_runs(keep_days=90, now=NOW) == 0


def test_task_uses_the_setting(settings):
    settings.TRACKER_JOB_RUNS_KEEP_DAYS = 5
    run(JobKind.SCAN_FULL, 30)
    run(JobKind.SCAN_FULL, 40)
    assert tasks.prune_job_runs.apply().get() == {"deleted": 1}
    assert JobRun.objects.count() == 1


def test_scheduled_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["prune-job-runs-daily"]
    assert entry["task"] == "tracker.tasks.prune_job_runs"
    assert tasks.prune_job_runs.name == entry["task"]
