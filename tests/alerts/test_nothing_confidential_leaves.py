"""Confidential sources leave in an alert only if the rule's owner and its recipient may see them."""

import pytest
from django.core import mail

from alerts import services
from alerts.models import AlertDelivery
from tests.alerts.conftest import make_rule
from tests.factories import SourceFactory, UserFactory, ViolationFactory

pytestmark = pytest.mark.django_db
WITNESS = "Abu Khalid, shopkeeper in Saraqib"


@pytest.fixture
def violation():
    violation = ViolationFactory()
    SourceFactory(incident=violation.incident, name="SOHR")
    SourceFactory(incident=violation.incident, name=WITNESS, confidential=True)
    return violation


def send_all():
    for delivery_id in services.due_deliveries(services.timezone.now()):
        services.deliver(delivery_id)


def test_a_viewers_webhook_carries_nothing_confidential(receiver, viewer, violation):
    make_rule(viewer, url=receiver.url)
    services.decide("violation_flagged", [violation.id])
    send_all()
    [request] = receiver.requests
    assert WITNESS.encode() not in request["body"]
    [item] = receiver.payloads()[0]["items"]
    assert [s["name"] for s in item["incident"]["sources"]] == ["SOHR"]
    assert "confidential" not in item["incident"]["sources"][0]


def test_a_coordinators_webhook_carries_what_the_coordinator_may_read(receiver, coordinator, violation):
    make_rule(coordinator, url=receiver.url)
    services.decide("violation_flagged", [violation.id])
    send_all()
    sources = receiver.payloads()[0]["items"][0]["incident"]["sources"]
    assert {(s["name"], s["confidential"]) for s in sources} == {("SOHR", False), (WITNESS, True)}


def test_an_email_needs_both_owner_and_recipient_allowed(coordinator, analyst, viewer, violation):
    analyst.email, viewer.email = "analyst@ngo.example", "viewer@ngo.example"
    analyst.save(), viewer.save()
    make_rule(coordinator, recipients=[analyst, viewer], emails="partner@other.example")
    services.decide("violation_flagged", [violation.id])
    send_all()
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert set(bodies) == {"analyst@ngo.example", "viewer@ngo.example", "partner@other.example"}
    assert "Saraqib" in bodies["partner@other.example"]
    assert all(WITNESS not in body for body in bodies.values())  # the email text names no source


def test_a_viewers_rule_sends_no_witness_to_an_analyst(analyst, viewer, violation):
    """The payload of an email to an analyst, on a viewer's rule, is built without the witness."""
    from alerts.payloads import build_payload

    analyst.email = "analyst@ngo.example"
    analyst.save()
    make_rule(viewer, recipients=[analyst])
    services.decide("violation_flagged", [violation.id])
    payload = build_payload(AlertDelivery.objects.get())
    assert WITNESS not in str(payload)


def test_the_api_payload_view_hides_it_from_a_caller_who_may_not_see_it(
    client, coordinator, user_with_perms, violation
):
    make_rule(coordinator, emails="x@example.org")
    services.decide("violation_flagged", [violation.id])
    delivery = AlertDelivery.objects.get()
    url = f"/api/v1/alert-deliveries/{delivery.id}/payload/"
    client.force_authenticate(coordinator)
    assert WITNESS not in client.get(url).content.decode()  # the recipient is an address
    delivery.user = UserFactory(username="c2", roles=["Coordinator"])
    delivery.save()
    assert WITNESS in client.get(url).content.decode()
    client.force_authenticate(user_with_perms("alerts.view_alertdelivery"))
    assert WITNESS not in client.get(url).content.decode()


def test_a_rule_is_told_only_what_its_owner_may_read(viewer, violation):
    """Viewers see violations but not import jobs; a user without a role sees neither."""
    from imports.models import ImportJob

    job = ImportJob.objects.create(format="acled", status="failed", message="bad file")
    make_rule(viewer, emails="a@x.example", events=["violation_flagged", "import_errors"])
    make_rule(UserFactory(username="nobody"), emails="b@x.example", events=["violation_flagged"])
    services.decide("violation_flagged", [violation.id])
    assert services.decide("import_errors", [job.id]) is None
    assert list(AlertDelivery.objects.values_list("recipient", flat=True)) == ["a@x.example"]
