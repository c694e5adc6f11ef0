"""Alerts are decided inside the transaction that caused them (tracker.events, imports.events)
and sent once it commits; if the broker is down then, the periodic deliver_due sends them."""

from django.dispatch import receiver

from core.tasks import enqueue_on_commit
from imports.events import import_finished
from tracker.events import deadline_due_soon, deadline_missed, violation_confirmed, violations_flagged

from . import services, tasks
from .choices import AlertEvent


def _send_after_commit(alert):
    if alert is not None:
        enqueue_on_commit(tasks.send_alert, alert.id)


@receiver(violations_flagged, dispatch_uid="alerts_violations_flagged")
def on_violations_flagged(sender, ids, **kwargs):
    _send_after_commit(services.decide(AlertEvent.VIOLATION_FLAGGED, ids))


@receiver(violation_confirmed, dispatch_uid="alerts_violation_confirmed")
def on_violation_confirmed(sender, id, **kwargs):
    key = f"{AlertEvent.VIOLATION_CONFIRMED}:{id}"
    _send_after_commit(services.decide(AlertEvent.VIOLATION_CONFIRMED, [id], key=key))


@receiver(deadline_missed, dispatch_uid="alerts_deadline_missed")
def on_deadline_missed(sender, ids, now=None, **kwargs):
    _send_after_commit(services.decide(AlertEvent.DEADLINE_MISSED, ids, now=now))


@receiver(deadline_due_soon, dispatch_uid="alerts_deadline_due_soon")
def on_deadline_due_soon(sender, ids, now=None, **kwargs):
    for alert_id in services.decide_deadlines_due(now=now, ids=ids):
        enqueue_on_commit(tasks.send_alert, alert_id)


@receiver(import_finished, dispatch_uid="alerts_import_finished")
def on_import_finished(sender, job_id, **kwargs):
    if services.import_had_errors(job_id):
        key = f"{AlertEvent.IMPORT_ERRORS}:{job_id}"
        _send_after_commit(services.decide(AlertEvent.IMPORT_ERRORS, [job_id], key=key))
