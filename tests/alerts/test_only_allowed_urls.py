"""Requests go only to URLs an administrator allows, never to the server's own addresses."""

import time

import pytest
from django.core.exceptions import ValidationError

from alerts import services, webhooks
from alerts.models import AlertDelivery
from tests.alerts.conftest import make_rule
from tests.factories import ViolationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def allow_everything_public(settings):
    settings.ALERTS_WEBHOOK_ALLOWED_URLS = ["https://", "http://"]
    settings.ALERTS_WEBHOOK_ALLOWED_ADDRESSES = []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://0.0.0.0/",
    ],
)
def test_private_and_loopback_addresses_are_refused(allow_everything_public, url):
    with pytest.raises(webhooks.UnsafeURL, match="not allowed"):
        webhooks.check_url_allowed(url)


def test_a_url_outside_the_allow_list_is_refused(settings):
    settings.ALERTS_WEBHOOK_ALLOWED_URLS = ["https://hooks.partner.org/"]
    with pytest.raises(webhooks.UnsafeURL, match="ALERTS_WEBHOOK_ALLOWED_URLS"):
        webhooks.check_url_allowed("https://hooks.partner.org.evil.example/x", resolve=False)
    with pytest.raises(webhooks.UnsafeURL):
        webhooks.check_url_allowed("ftp://hooks.partner.org/", resolve=False)
    with pytest.raises(webhooks.UnsafeURL, match="credentials"):
        webhooks.check_url_allowed("https://user:pw@hooks.partner.org/", resolve=False)
    webhooks.check_url_allowed("https://hooks.partner.org/tracker", resolve=False)


def test_nothing_is_allowed_by_default(settings, coordinator):
    settings.ALERTS_WEBHOOK_ALLOWED_URLS = []
    rule = make_rule(coordinator, url="https://hooks.partner.org/")
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "webhook_url" in error.value.message_dict


def test_a_refused_address_fails_at_once_without_a_request(settings, receiver, coordinator):
    settings.ALERTS_WEBHOOK_ALLOWED_ADDRESSES = []  # the loopback receiver is no longer allowed
    make_rule(coordinator, url=receiver.url)
    services.decide("violation_flagged", [ViolationFactory().id])
    delivery = AlertDelivery.objects.get()
    assert services.deliver(delivery.id) == "failed"
    delivery.refresh_from_db()
    assert "UnsafeURL" in delivery.last_error and receiver.requests == []


def test_redirects_are_not_followed(webhooks_to_loopback):
    from tests.alerts.receiver import Receiver

    with Receiver(answers=[302]) as receiver:
        with pytest.raises(webhooks.DeliveryError, match="302"):
            webhooks.post(receiver.url, b"{}", "secret", "id", 0)
    assert len(receiver.requests) == 1


def test_an_endless_answer_is_cut_at_the_size_limit(webhooks_to_loopback):
    from tests.alerts.receiver import Receiver

    webhooks_to_loopback.ALERTS_WEBHOOK_MAX_RESPONSE_BYTES = 1024
    with Receiver(answers=[200], body=None) as receiver:
        started = time.monotonic()
        assert webhooks.post(receiver.url, b"{}", "secret", "id", 0) == 200
    assert time.monotonic() - started < 2
