"""Thin Celery wrappers around events.services: ids in, counts out, safe to run twice.

The full regrouping splits into chunks of time that run in parallel on several workers (a
chord: every chunk finds and stores its pairs, then one task rebuilds the events).
"""

import datetime as dt
import math

from celery import chord, shared_task

from core.tasks import RETRY

from . import services


def _parse(moment):
    return dt.datetime.fromisoformat(moment) if moment else None


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def group_incidents(incident_ids=()):
    return services.group_incidents(list(incident_ids))


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60, **RETRY)
def group_changed(since=None):
    return services.group_changed(since=_parse(since))


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60, **RETRY)
def group_chunk(owned_from=None, owned_until=None):
    # Open ends travel as None (JSON has no infinity).
    return services.group_chunk(
        -math.inf if owned_from is None else owned_from, math.inf if owned_until is None else owned_until
    )


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60, **RETRY)
def rebuild_events(chunk_counts=None):
    return services.rebuild_all()


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def group_all(chunks=1):
    """Send the full regrouping as `chunks` chunk tasks followed by the rebuild (a chord)."""
    bounds = [
        (None if math.isinf(lo) else lo, None if math.isinf(hi) else hi)
        for lo, hi in services.chunk_bounds(chunks)
    ]
    chord(group_chunk.s(lo, hi) for lo, hi in bounds)(rebuild_events.s())
    return {"chunks": len(bounds)}
