"""A flagged violation reaches a real local receiver as a signed JSON payload (schema v1)."""

import json
import time

import pytest

from alerts import webhooks
from alerts.models import AlertDelivery
from tests.alerts.conftest import make_rule
from tests.factories import IncidentFactory
from tracker import services

pytestmark = pytest.mark.django_db


def test_it_posts_a_signed_payload_the_receiver_can_verify(
    receiver, ceasefire, government, coordinator, django_capture_on_commit_callbacks
):
    rule = make_rule(coordinator, url=receiver.url)
    incident = IncidentFactory(perpetrator=government)

    with django_capture_on_commit_callbacks(execute=True):
        services.scan_violations(full=True)

    [request] = receiver.requests
    header = request["headers"][webhooks.SIGNATURE_HEADER]
    assert webhooks.verify(rule.secret, header, request["body"], now=time.time())
    assert not webhooks.verify("another secret", header, request["body"], now=time.time())
    payload = json.loads(request["body"])
    assert payload["schema"] == "tracker.alert.v1" and payload["event"] == "violation_flagged"
    assert payload["count"] == 1 and payload["items"][0]["incident"]["id"] == incident.id
    delivery = AlertDelivery.objects.get()
    assert payload["event_id"] == str(delivery.event_id) == request["headers"]["X-Tracker-Event-Id"]
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("sent", 1, 200)


def test_a_replayed_request_is_refused_by_the_timestamp(receiver):
    body = b'{"event_id": "x"}'
    header = webhooks.sign("secret", 1_000_000, body)
    assert webhooks.verify("secret", header, body, now=1_000_000 + 60)
    assert not webhooks.verify("secret", header, body, now=1_000_000 + 3600)
    assert not webhooks.verify("secret", header, body + b" ", now=1_000_000)


def test_the_documented_snippet_verifies_our_signature():
    """docs/alerts.md's receiver code, run as written."""
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "docs" / "alerts.md").read_text()
    snippet = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(snippet, namespace)  # our own documentation
    body = b'{"schema": "tracker.alert.v1"}'
    now = int(time.time())
    header = webhooks.sign("s3cret", now, body)
    assert namespace["verify_signature"](b"s3cret", header, body) is True
    assert namespace["verify_signature"](b"wrong", header, body) is False
