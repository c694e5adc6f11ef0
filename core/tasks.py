"""Sending work to the workers so that a committed write never fails because the broker is down.

A write (an incident saved, a file uploaded) answers its success once it is committed. The work
it schedules is sent after the commit; if the broker cannot be reached then, the write still
stands and the work is not lost: a periodic job that owns it picks it up when the broker is back
(the incremental scan re-evaluates whatever changed since the last scan; the import dispatcher
sends the imports still waiting). So a client never retries a write that was saved.
"""

import logging
import socket

from celery import Task
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as KombuOperationalError

log = logging.getLogger(__name__)

# What publishing raises when the broker is down or unreachable (redis-py's errors reach us
# wrapped by kombu, or as plain connection errors).
BROKER_ERRORS = (KombuOperationalError, ConnectionError, socket.timeout, OSError)

# One retry policy for every task: ids in, counts out; acks late so a killed worker's task is
# redelivered; database and broker hiccups retried with backoff.
RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError, KombuOperationalError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


def enqueue(task: Task, *args, **kwargs) -> bool:
    """Send `task` now. False (and a warning in the log) when the broker cannot take it."""
    try:
        task.apply_async(args, kwargs, retry=False)
    except BROKER_ERRORS as exc:
        log.warning("Broker unavailable, %s left to its periodic job: %s", task.name, exc)
        return False
    return True


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    """Send `task` once the current transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
