"""Thin Celery wrappers around tracker.services: ids in, counts out, safe to run twice."""

import datetime as dt

from celery import group, shared_task
from django.conf import settings

from core.tasks import RETRY

from . import actors, services


def _parse(moment):
    return dt.datetime.fromisoformat(moment) if moment else None


@shared_task(bind=True, time_limit=60 * 60, soft_time_limit=55 * 60, **RETRY)
def scan_violations(self, full=False, since=None, chunks=None):
    """A full scan is split into `chunks` (default TRACKER_SCAN_CHUNKS) id ranges, sent as a group
    of scan_chunk tasks to the queue this task came from, so that several workers share it."""
    queue = (self.request.delivery_info or {}).get("routing_key")

    def send(chunk_ids):
        group(scan_chunk.si(chunk_id) for chunk_id in chunk_ids).apply_async(queue=queue)

    return services.scan_violations(
        full=full,
        since=_parse(since),
        chunks=settings.TRACKER_SCAN_CHUNKS if chunks is None else chunks,
        run_chunks=send,
    )


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60, **RETRY)
def scan_chunk(chunk_id):
    return services.scan_chunk(chunk_id)


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def evaluate(incident_ids=(), clause_ids=()):
    return services.evaluate(incident_ids=incident_ids, clause_ids=clause_ids)


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def check_deadlines(at=None):
    changes = services.check_deadlines(now=_parse(at))
    return {key: len(value) for key, value in changes.items()}


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def prune_job_runs():
    return {"deleted": services.prune_job_runs()}


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def apply_actor_decision(name):
    return actors.apply_actor_decision(name)
