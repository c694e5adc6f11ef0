"""Alert rules and the delivery log through the API: the generic endpoint test, roles, actions."""

import pytest

from alerts import services
from alerts.models import AlertDelivery, AlertRule
from tests.alerts.conftest import make_rule
from tests.api.base import APIViewTest
from tests.factories import AgreementFactory, UserFactory, ViolationFactory

pytestmark = pytest.mark.django_db


class TestAlertRules(APIViewTest):
    basename, model = "alertrule", AlertRule
    update_data = {"name": "Renamed", "min_confidence": "high"}

    def make_object(self):
        return make_rule(UserFactory(username="owner"), emails="desk@ngo.example")

    def create_data(self):
        AgreementFactory(slug="sochi-2018")
        return {
            "name": "High-confidence in Sochi",
            "events": ["violation_flagged", "deadline_missed"],
            "min_confidence": "high",
            "agreements": ["sochi-2018"],
            "channel": "email",
            "emails": "desk@ngo.example",
        }

    def check_created(self, obj, data, body):
        super().check_created(obj, data, body)
        assert obj.owner.username == "someone" and len(body["secret"]) == 64


class TestAlertDeliveries(APIViewTest):
    basename, model = "alertdelivery", AlertDelivery
    read_only = True
    update_data = {"recipient": "x@example.org"}

    def make_object(self):
        make_rule(UserFactory(username="owner", is_superuser=True), emails="desk@ngo.example")
        services.decide("violation_flagged", [ViolationFactory().id])
        return AlertDelivery.objects.get()


def test_only_coordinators_manage_rules(client, coordinator, analyst, viewer):
    data = {"name": "r", "events": ["violation_confirmed"], "emails": "a@x.example"}
    for user, status in ((viewer, 403), (analyst, 403), (coordinator, 201)):
        client.force_authenticate(user)
        assert client.post("/api/v1/alert-rules/", data, format="json").status_code == status


def test_a_webhook_url_must_be_allowed(client, coordinator, settings):
    settings.ALERTS_WEBHOOK_ALLOWED_URLS = ["https://hooks.partner.org/"]
    client.force_authenticate(coordinator)
    data = {"name": "r", "events": ["violation_flagged"], "channel": "webhook"}
    response = client.post(
        "/api/v1/alert-rules/", {**data, "webhook_url": "https://evil.example/"}, format="json"
    )
    assert response.status_code == 400 and "webhook_url" in str(response.json())
    response = client.post(
        "/api/v1/alert-rules/", {**data, "webhook_url": "https://hooks.partner.org/t"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_send_a_test_then_send_it_again(client, coordinator, receiver, django_capture_on_commit_callbacks):
    rule = make_rule(coordinator, url=receiver.url)
    client.force_authenticate(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/alert-rules/{rule.id}/send-test/")
    assert response.status_code == 202, response.content
    [payload] = receiver.payloads()
    assert payload["test"] is True and payload["event"] == "test" and payload["items"] == []
    [delivery] = client.get(f"/api/v1/alert-deliveries/?rule={rule.id}").json()["results"]
    assert delivery["status"] == "sent" and delivery["response_status"] == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/alert-deliveries/{delivery['id']}/send-again/")
    assert response.status_code == 202
    assert [p["event_id"] for p in receiver.payloads()] == [delivery["event_id"]] * 2

    AlertDelivery.objects.update(status="pending")
    assert client.post(f"/api/v1/alert-deliveries/{delivery['id']}/send-again/").status_code == 409
