"""Run an ImportJob (an admin upload): the same import as the command, with progress saved."""

import os
import time

from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.utils import timezone, translation

from accounts.language import language_for
from imports.models import ImportJob

from .base import ImportFileError
from .events import import_finished
from .services import run_import

PROGRESS_EVERY_SECONDS = 1.0


def run_import_job(job_id):
    """Run the job if it is waiting. Returns the job, or None if another worker has it (running or
    done): a second message for the same job (a redelivery, a dispatch after an outage) does
    nothing. A job left running by a worker that died is made waiting again by the dispatcher
    (imports.dispatch), and imports are idempotent, so running it again is safe."""
    Status = ImportJob.Status
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING, started_at=timezone.now(), message=""
    )
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)
    # Row errors and the summary are written in the uploader's language: the page shows them as stored.
    with translation.override(language_for(job.created_by)):
        return _run(job)


def _run(job):
    Status = ImportJob.Status
    try:
        with _Progress(job.pk) as progress:
            result = run_import(
                job.file.path,
                job.format,
                on_error=job.on_error,
                dry_run=job.dry_run,
                create_parties=job.create_parties,
                user=job.created_by,
                progress=progress,
            )
    except ImportFileError as exc:
        return finish(job, status=Status.FAILED, message=str(exc))
    except OperationalError as exc:  # the database went away: the task retries, and if its
        # retries run out the dispatcher sends the job again (queued_at emptied).
        job.queued_at = None
        finish(job, status=Status.PENDING, message=f"Will retry: {exc}")
        raise
    except Exception as exc:  # a bug: say so on the page, then let Celery log it
        finish(job, status=Status.FAILED, message=f"{type(exc).__name__}: {exc}")
        raise

    job = record_result(job, result)
    if result.error_report:
        os.unlink(result.error_report)
    return job


class _Progress:
    """An import's progress, saved on its job at most every PROGRESS_EVERY_SECONDS (and at the
    end), where the job's page sees it while the import runs.

    A dataset's first import on PostgreSQL reads the whole file inside its transaction
    (imports.direct): saved there, the progress would show only once the import is over (and the
    job's row would stay locked meanwhile). It then goes through a connection of its own, opened
    at the first save and closed when the import ends."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last_saved = 0.0
        self.own = None

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self.own is not None:
            self.own.close()

    def __call__(self, rows: int, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last_saved < PROGRESS_EVERY_SECONDS and done < total:
            return
        self.last_saved = now
        default = connections[DEFAULT_DB_ALIAS]
        if default.vendor != "postgresql" or not default.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(
                rows_read=rows, bytes_read=done, bytes_total=total
            )
            return
        if self.own is None:
            self.own = connections.create_connection(DEFAULT_DB_ALIAS)
        table = default.ops.quote_name(ImportJob._meta.db_table)
        with self.own.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET rows_read = %s, bytes_read = %s, bytes_total = %s WHERE id = %s",
                [rows, done, total, self.job_id],
            )


def record_result(job, result):
    """Save an ImportResult on its job: counts, summary, a copy of the error report, status."""
    job.rows_read = result.rows
    job.created, job.updated, job.unchanged, job.rejected = (
        result.created,
        result.updated,
        result.unchanged,
        result.rejected,
    )
    job.summary = "\n".join(result.summary_lines())
    if result.error_report:
        with open(result.error_report, "rb") as report:
            job.error_report.save(f"import-{job.pk}-errors.csv", File(report), save=False)
    return finish(job, status=ImportJob.Status.ABORTED if result.aborted else ImportJob.Status.DONE)


def finish(job, status, message=""):
    job.status = status
    job.message = message
    job.finished_at = None if status == ImportJob.Status.PENDING else timezone.now()
    with transaction.atomic():
        job.save()
        if job.is_finished:
            import_finished.send(sender=ImportJob, job_id=job.pk)
    return job
