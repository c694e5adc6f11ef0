"""The periodic jobs pick up what is due (nothing lost when the broker was down); the admin's
"send a test" and "send again" actions and the rule's delivery log."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from alerts import services, tasks
from alerts.models import AlertDelivery
from tests.alerts.conftest import make_rule
from tests.factories import DeadlineFactory, ViolationFactory

pytestmark = pytest.mark.django_db


def test_deliver_due_sends_what_the_broker_never_got(coordinator):
    make_rule(coordinator, emails="desk@ngo.example")
    services.decide("violation_flagged", [ViolationFactory().id])  # its after-commit task never ran
    assert tasks.deliver_due.delay().get() == {"queued": 1}
    assert AlertDelivery.objects.get().status == "sent" and len(mail.outbox) == 1
    assert tasks.deliver_due.delay().get() == {"queued": 0}


def test_decide_deadlines_due_alerts_each_deadline_once(coordinator, settings):
    settings.TRACKER_CHECK_DEADLINES_ON_SAVE = False
    make_rule(coordinator, emails="desk@ngo.example", events=["deadline_due_soon"], due_within_days=3)
    soon = dt.date.today() + dt.timedelta(days=2)
    DeadlineFactory(due_date=soon)
    DeadlineFactory(due_date=soon + dt.timedelta(days=30))
    assert tasks.decide_deadlines_due.delay().get() == {"alerts": 1}
    assert tasks.decide_deadlines_due.delay().get() == {"alerts": 1}  # the same alert, no new delivery
    assert AlertDelivery.objects.count() == 1 and len(mail.outbox) == 1


def test_admin_send_test_and_send_again(client, superuser, django_capture_on_commit_callbacks):
    client.force_login(superuser)
    rule = make_rule(superuser, emails="desk@ngo.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:alerts_alertrule_changelist"),
            {"action": "send_test", "_selected_action": [rule.pk]},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "Test alert" in mail.outbox[0].subject
    delivery = AlertDelivery.objects.get()
    log = client.get(reverse("admin:alerts_alertdelivery_changelist") + f"?rule__id__exact={rule.pk}")
    assert log.status_code == 200 and "desk@ngo.example" in log.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:alerts_alertdelivery_changelist"),
            {"action": "send_again", "_selected_action": [delivery.pk]},
        )
    assert len(mail.outbox) == 2
    assert client.get(reverse("admin:alerts_alertdelivery_change", args=[delivery.pk])).status_code == 200
