"""Thin Celery wrappers around events.services: ids in, counts out, safe to run twice.

The full regrouping splits into chunks of time that run in parallel on several workers (every
chunk finds and stores its pairs), then into as many parts of the events (every part writes
its own events), then one task records it done (group_all).
"""

import datetime as dt
import math

from celery import group, shared_task
from django.db import connection, transaction

from core.tasks import RETRY

from . import services
from .store import events_store_for


def _parse(moment):
    return dt.datetime.fromisoformat(moment) if moment else None


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def group_incidents(incident_ids=()):
    return services.group_incidents(list(incident_ids))


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60, **RETRY)
def group_changed(since=None):
    return services.group_changed(since=_parse(since))


@shared_task(bind=True, time_limit=30 * 60, soft_time_limit=29 * 60, **RETRY)
def group_chunk(self, owned_from=None, owned_until=None, run=None, chunk=0, chunks=1):
    """One chunk's pairs; the last chunk of the regrouping `run` to commit sends its events' parts."""
    # Open ends travel as None (JSON has no infinity).
    counts = services.group_chunk(
        -math.inf if owned_from is None else owned_from,
        math.inf if owned_until is None else owned_until,
        run=run,
        step=None if run is None else f"pairs {chunk}",
    )
    if run is not None and services.steps_done(run, "pairs ") >= chunks:
        _send_once(self, run, "sent events", [rebuild_part.si(part, chunks, run) for part in range(chunks)])
    return counts


# Under the Redis broker's visibility timeout (an hour), after which it would deliver the task
# again while it still runs.
@shared_task(bind=True, time_limit=30 * 60, soft_time_limit=29 * 60, **RETRY)
def rebuild_part(self, part=0, parts=1, run=None):
    """One part of the events; the last part of the regrouping `run` to commit finishes it."""
    counts = services.rebuild_all(
        part=part, parts=parts, run=run, step=None if run is None else f"events {part}"
    )
    if parts > 1 and run is not None and services.steps_done(run, "events ") >= parts:
        _send_once(self, run, "sent finish", [finish_full.si(run)])
    return counts


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def finish_full(run=None):
    return services.finish_full(run)


def _send_once(task, run, step, signatures):
    """Send the next step's tasks to the queue `task` came from, once: the step is recorded in the
    same transaction, and sent before it commits (a worker killed in between sends it again,
    which the tasks, being idempotent, bear; the reverse would lose it)."""
    queue = (task.request.delivery_info or {}).get("routing_key")
    with transaction.atomic():
        if services.begin_step(run, step):
            group(signatures).apply_async(queue=queue)


@shared_task(bind=True, time_limit=10 * 60, soft_time_limit=9 * 60, **RETRY)
def group_all(self, chunks=1):
    """Send the full regrouping as `chunks` chunk tasks; once all have stored their pairs, as many
    parts of the events; then its finish. Every task runs on whichever worker is free, side by
    side with the others of its step; the steps are counted in the database (GroupingStep), so
    no result backend is needed."""
    run = services.begin_full()
    # SQLite writes one transaction at a time: parts would only wait for each other.
    bounds = services.chunk_bounds(chunks if events_store_for(connection).side_by_side else 1)
    queue = (self.request.delivery_info or {}).get("routing_key")
    group(
        group_chunk.si(None if math.isinf(lo) else lo, None if math.isinf(hi) else hi, run, k, len(bounds))
        for k, (lo, hi) in enumerate(bounds)
    ).apply_async(queue=queue)
    return {"chunks": len(bounds)}
