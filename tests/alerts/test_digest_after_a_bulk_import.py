"""An import that flags many violations sends one digest per rule, not one message per violation."""

import pytest
from django.core import mail

from alerts.models import Alert, AlertDelivery
from tests.alerts.conftest import make_rule
from tests.api.test_imports import acled_file, post
from tests.imports.importing import acled_row
from tracker.models import Violation

pytestmark = pytest.mark.django_db


def test_one_digest_per_rule_and_recipient(
    client, reporter, coordinator, viewer, ceasefire, receiver, django_capture_on_commit_callbacks
):
    viewer.email = "viewer@ngo.example"
    viewer.save()
    make_rule(coordinator, url=receiver.url, name="Partner system")
    make_rule(coordinator, name="Team", recipients=[viewer], emails="desk@ngo.example")
    rows = [acled_row(event_id_cnty=f"SYR{n}", event_date=f"2019-04-{1 + n % 28:02d}") for n in range(60)]
    client.force_authenticate(reporter)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, acled_file(rows))

    assert response.status_code == 201, response.content
    assert Violation.objects.count() == 60
    assert Alert.objects.filter(event="violation_flagged").count() == 1
    assert AlertDelivery.objects.filter(status="sent").count() == 3  # webhook + two addresses
    [payload] = receiver.payloads()
    assert payload["count"] == len(payload["items"]) == 60
    assert sorted(m.to[0] for m in mail.outbox) == ["desk@ngo.example", "viewer@ngo.example"]
    assert all("60" in m.subject for m in mail.outbox)


def test_an_import_with_rejected_rows_alerts_the_rules_that_ask(
    client, reporter, coordinator, receiver, django_capture_on_commit_callbacks
):
    make_rule(coordinator, url=receiver.url, events=["import_errors"])
    rows = [acled_row(event_id_cnty="A"), acled_row(event_id_cnty="B", latitude="95")]
    client.force_authenticate(reporter)

    with django_capture_on_commit_callbacks(execute=True):
        job_id = post(client, acled_file(rows)).json()["id"]

    [payload] = receiver.payloads()
    assert payload["event"] == "import_errors"
    [item] = payload["items"]
    assert (item["id"], item["status"], item["rejected"], item["created"]) == (job_id, "done", 1, 1)


def test_a_clean_import_alerts_nobody(
    client, reporter, coordinator, receiver, django_capture_on_commit_callbacks
):
    make_rule(coordinator, url=receiver.url, events=["import_errors"])
    client.force_authenticate(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, acled_file([acled_row(event_id_cnty="A")]))
    assert receiver.requests == [] and not Alert.objects.exists()
