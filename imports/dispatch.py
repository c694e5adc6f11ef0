"""Handing import jobs to the workers, once each, even when the broker was down at upload."""

import datetime as dt

from django.utils import timezone

from core.tasks import enqueue

from .models import ImportJob
from .tasks import import_incidents


def send_import(job_id: int) -> bool:
    """Hand a waiting job to the workers, once: claim it (queued_at empty -> now, compare-and-set,
    so two dispatchers never both send it), send it, and release the claim if the broker cannot
    take it, for the next dispatch to try again."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        pk=job_id, status=ImportJob.Status.PENDING, queued_at__isnull=True
    ).update(queued_at=now)
    if not claimed:
        return False
    if enqueue(import_incidents, job_id):
        return True
    ImportJob.objects.filter(pk=job_id, queued_at=now).update(queued_at=None)
    return False


# A job still running this long after it started belonged to a worker that died (the import
# task's own time limit is 2 h 05 min): it is made waiting again, and sent again.
STALE_RUNNING = dt.timedelta(hours=2, minutes=10)
# A job sent this long ago and still waiting lost its message (Redis restarted without keeping
# its queue): it is sent again. A second message for a job is harmless: only a waiting job is
# run (imports.jobs.run_import_job), so the other does nothing.
LOST_MESSAGE = dt.timedelta(minutes=30)


def dispatch_pending_imports(now: dt.datetime | None = None) -> int:
    """Send every waiting job that never reached the workers, or whose message was lost, after
    making waiting again the uploads a dead worker left running. Returns how many were sent."""
    now = now or timezone.now()
    # Uploads only: a job of the import_incidents command is its own process's, not a worker's.
    ImportJob.objects.filter(status=ImportJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING).exclude(
        file=""
    ).update(status=ImportJob.Status.PENDING, queued_at=None, message="Restarted: its worker stopped.")
    ImportJob.objects.filter(status=ImportJob.Status.PENDING, queued_at__lt=now - LOST_MESSAGE).update(
        queued_at=None
    )
    waiting = ImportJob.objects.filter(status=ImportJob.Status.PENDING, queued_at__isnull=True)
    return sum(send_import(job_id) for job_id in waiting.order_by("id").values_list("id", flat=True))
