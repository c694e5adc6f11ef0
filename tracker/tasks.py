"""Thin Celery wrappers around tracker.services: ids in, counts out, safe to run twice."""

import datetime as dt

from celery import shared_task

from core.tasks import RETRY

from . import actors, services


def _parse(moment):
    return dt.datetime.fromisoformat(moment) if moment else None


@shared_task(time_limit=60 * 60, soft_time_limit=55 * 60, **RETRY)
def scan_violations(full=False, since=None):
    return services.scan_violations(full=full, since=_parse(since))


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
