"""Celery tasks for reports: thin wrappers around services, safe to run twice or on many workers."""

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import services
from .choices import DeliveryStatus
from .models import ReportDelivery


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    max_retries=5,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
)
def run_due_reports():
    """Hourly: build every due report, then queue the deliveries that are waiting."""
    now = timezone.now()
    counts = services.build_due_reports(now=now)
    delivery_ids = services.due_deliveries(now=now)
    for delivery_id in delivery_ids:
        deliver_report.delay(delivery_id)
    return {**counts, "queued": len(delivery_ids)}


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    max_retries=services.MAX_ATTEMPTS,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def deliver_report(self, delivery_id):
    """Send one report; on failure retry when its backoff ends (the hourly run also picks it up)."""
    status = services.deliver(delivery_id, now=timezone.now())
    if status == DeliveryStatus.FAILED:
        delivery = ReportDelivery.objects.get(pk=delivery_id)
        if delivery.next_attempt_at is not None and not self.request.is_eager:
            raise self.retry(eta=delivery.next_attempt_at, max_retries=services.MAX_ATTEMPTS)
    return status
