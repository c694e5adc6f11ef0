"""Deliveries through a Redis broker to real worker processes, as deployed: two workers sending
the same deliveries at once send each once; a worker killed mid-delivery leaves it to be sent by
another once its claim is stale, with the same event_id, and nothing is lost.

Needs PostgreSQL (DATABASE_URL) and the redis-server program: runs a Redis of its own on a free
port (the shared Redis is never touched).
"""

import uuid

import pytest
from celery import Celery
from django.db import connection

from alerts import services
from alerts.models import AlertDelivery
from tests.alerts.conftest import make_rule
from tests.alerts.receiver import Receiver
from tests.api.test_broker_outage import PrivateRedis
from tests.factories import UserFactory, ViolationFactory
from tests.workers import Workers, require, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
STALE_SECONDS = 3


class PrivateWorkers(Workers):
    """Workers on a Redis server of the test's own."""

    def __init__(self, broker_url):
        self.broker = broker_url
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.app = Celery("tests", broker=broker_url)
        self.processes = []


@pytest.fixture
def workers(monkeypatch):
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL) for worker processes")
    redis = PrivateRedis()
    redis.start()
    # What the worker processes read from their environment: the loopback receiver is allowed.
    monkeypatch.setenv("ALERTS_WEBHOOK_ALLOWED_URLS", "http://127.0.0.1:")
    monkeypatch.setenv("ALERTS_WEBHOOK_ALLOWED_ADDRESSES", "127.0.0.1")
    monkeypatch.setenv("ALERTS_WEBHOOK_READ_TIMEOUT", "20")
    monkeypatch.setenv("ALERTS_STALE_CLAIM_SECONDS", str(STALE_SECONDS))
    workers = PrivateWorkers(redis.url)
    yield workers
    workers.stop()
    redis.stop()


def deliveries(receiver_url, count):
    make_rule(UserFactory(username="owner", is_superuser=True), url=receiver_url)
    for _ in range(count):
        services.decide("violation_flagged", [ViolationFactory().id])
    return list(AlertDelivery.objects.order_by("id").values_list("id", flat=True))


def test_two_workers_send_each_delivery_once(workers, webhooks_to_loopback):
    with Receiver(answers=["hang"], hang_seconds=0.3) as receiver:
        ids = deliveries(receiver.url, 8)
        workers.start("a"), workers.start("b")
        for delivery_id in ids * 3:  # every delivery asked three times, to either worker
            workers.send("alerts.tasks.deliver", delivery_id=delivery_id)
        wait_for(lambda: AlertDelivery.objects.filter(status="sent").count() == len(ids), what="all sent")
    event_ids = [payload["event_id"] for payload in receiver.payloads()]
    assert len(event_ids) == len(ids) and len(set(event_ids)) == len(ids)
    assert set(AlertDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_worker_killed_mid_delivery_is_taken_over_with_the_same_event_id(workers, webhooks_to_loopback):
    webhooks_to_loopback.ALERTS_STALE_CLAIM_SECONDS = STALE_SECONDS  # as the workers have it
    with Receiver(answers=["hang", 200], hang_seconds=5) as receiver:
        [delivery_id] = deliveries(receiver.url, 1)
        first = workers.start("doomed")
        workers.send("alerts.tasks.deliver", delivery_id=delivery_id)
        wait_for(lambda: len(receiver.requests) == 1, what="the first request")
        workers.kill(first)  # mid-request: the delivery stays "sending"
        assert AlertDelivery.objects.get().status == "sending"

        workers.start("survivor")
        workers.send("alerts.tasks.deliver", delivery_id=delivery_id)  # too early: the claim is fresh
        wait_for(
            lambda: services.due_deliveries(services.timezone.now()) == [delivery_id], what="stale claim"
        )
        workers.send("alerts.tasks.deliver", delivery_id=delivery_id)  # what deliver_due would send
        wait_for(lambda: AlertDelivery.objects.get().status == "sent", what="the takeover")
    delivery = AlertDelivery.objects.get()
    assert delivery.attempts == 2
    assert [p["event_id"] for p in receiver.payloads()] == [str(delivery.event_id)] * 2
