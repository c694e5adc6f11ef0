"""Failed attempts are retried with exponential backoff for a day, then failed and the owner told."""

import datetime as dt

import pytest
from django.core import mail

from alerts import services
from alerts.models import AlertDelivery
from tests.alerts.conftest import make_rule
from tests.alerts.receiver import Receiver
from tests.factories import ViolationFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2019, 4, 2, 10, 0, tzinfo=dt.UTC)


def decided(rule):
    violation = ViolationFactory()
    services.decide("violation_flagged", [violation.id], now=NOW)
    return AlertDelivery.objects.get(rule=rule)


def test_it_retries_after_a_500_and_sends_the_same_event_id(webhooks_to_loopback, coordinator):
    with Receiver(answers=[500, 503, 200]) as receiver:
        delivery = decided(make_rule(coordinator, url=receiver.url))
        assert services.deliver(delivery.id, now=NOW) == "pending"
        delivery.refresh_from_db()
        assert delivery.response_status == 500 and delivery.next_attempt_at == NOW + dt.timedelta(seconds=60)
        assert services.deliver(delivery.id, now=NOW + dt.timedelta(seconds=30)) is None  # not due yet
        assert services.deliver(delivery.id, now=NOW + dt.timedelta(seconds=60)) == "pending"
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == NOW + dt.timedelta(seconds=60 + 120)  # doubled
        assert services.deliver(delivery.id, now=NOW + dt.timedelta(seconds=180)) == "sent"
    assert len({payload["event_id"] for payload in receiver.payloads()}) == 1
    assert len(receiver.requests) == 3 and receiver.accepted == [str(delivery.event_id)]


def test_a_receiver_that_does_not_answer_in_time_is_retried(webhooks_to_loopback, coordinator):
    with Receiver(answers=["hang", 200], hang_seconds=1.5) as receiver:
        delivery = decided(make_rule(coordinator, url=receiver.url))
        assert services.deliver(delivery.id, now=NOW) == "pending"
        delivery.refresh_from_db()
        assert "Timeout" in delivery.last_error
        assert services.deliver(delivery.id, now=NOW + dt.timedelta(minutes=1)) == "sent"


def test_after_a_day_it_fails_and_tells_the_rule_owner(webhooks_to_loopback, coordinator):
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    with Receiver(answers=[500]) as receiver:
        delivery = decided(make_rule(coordinator, url=receiver.url, name="Partner"))
        moment, statuses = NOW, []
        while (status := services.deliver(delivery.id, now=moment)) == "pending":
            statuses.append(status)
            moment = AlertDelivery.objects.get(pk=delivery.pk).next_attempt_at
    delivery.refresh_from_db()
    assert status == "failed" and delivery.next_attempt_at is None
    assert NOW + dt.timedelta(hours=20) < moment <= NOW + dt.timedelta(hours=24)
    assert 8 <= delivery.attempts <= 14 and len(receiver.requests) == delivery.attempts
    [message] = mail.outbox
    assert message.to == ["coordinator@example.org"] and "Partner" in message.subject
    assert services.deliver(delivery.id, now=moment + dt.timedelta(days=1)) is None  # never again


def test_send_again_resends_a_failed_delivery_once(webhooks_to_loopback, coordinator):
    with Receiver(answers=[200]) as receiver:
        delivery = decided(make_rule(coordinator, url=receiver.url))
        AlertDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=9)
        assert services.send_again(delivery.id, now=NOW)
        assert not services.send_again(delivery.id, now=NOW)  # pending already
        assert services.deliver(delivery.id, now=NOW) == "sent"
    assert receiver.accepted == [str(delivery.event_id)]
