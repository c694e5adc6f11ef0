from celery import shared_task
from django.db import OperationalError

from imports.jobs import run_import_job


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=2 * 60 * 60,
    time_limit=2 * 60 * 60 + 300,
)
def import_incidents(job_id):
    """Run an uploaded import. Safe to run twice: a finished job is left alone, and a re-run
    of an interrupted one updates by external id instead of duplicating."""
    job = run_import_job(job_id)
    return job.status if job else None


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
)
def dispatch_pending_imports():
    """Every minute: send the uploads the broker could not take when they were made."""
    from .dispatch import dispatch_pending_imports as dispatch

    return {"sent": dispatch()}
