"""Thin Celery wrappers around alerts.services: ids in, counts out, safe to run twice.

Each delivery is its own task with a short time limit, so a slow or dead receiver holds up only
its own delivery, never the engine (which only writes rows) or the other receivers.
"""

from celery import shared_task
from django.utils import timezone

from core.tasks import RETRY, enqueue

from . import services


@shared_task(time_limit=60, soft_time_limit=50, **RETRY)
def deliver(delivery_id):
    return services.deliver(delivery_id, now=timezone.now())


@shared_task(time_limit=60, soft_time_limit=50, **RETRY)
def send_alert(alert_id):
    """Fan an alert's deliveries out, one task each."""
    ids = services.due_deliveries(timezone.now(), alert_id=alert_id)
    return {"queued": sum(enqueue(deliver, delivery_id) for delivery_id in ids)}


@shared_task(time_limit=5 * 60, soft_time_limit=4 * 60, **RETRY)
def deliver_due():
    """Periodic: queue every delivery that is due (new, retry, stale claim); nothing is lost."""
    ids = services.due_deliveries(timezone.now())
    return {"queued": sum(enqueue(deliver, delivery_id) for delivery_id in ids)}


@shared_task(time_limit=5 * 60, soft_time_limit=4 * 60, **RETRY)
def decide_deadlines_due():
    """Periodic: alert the deadlines that entered a rule's "due within N days" window."""
    alert_ids = services.decide_deadlines_due(now=timezone.now())
    for alert_id in alert_ids:
        enqueue(send_alert, alert_id)
    return {"alerts": len(alert_ids)}
