"""Deadlines missed or due within a rule's days, and confirmed violations, are alerted once."""

import datetime as dt

import pytest
from django.core import mail

from alerts import services
from alerts.models import AlertDelivery
from tests.alerts.conftest import make_rule
from tests.factories import DeadlineFactory, ViolationFactory
from tracker import services as engine

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture(autouse=True)
def no_check_on_save(settings):
    settings.TRACKER_CHECK_DEADLINES_ON_SAVE = False


def test_a_missed_deadline_is_alerted_once(coordinator, django_capture_on_commit_callbacks):
    make_rule(coordinator, emails="desk@ngo.example", events=["deadline_missed"])
    deadline = DeadlineFactory(due_date=dt.date(2018, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        engine.check_deadlines(now=dt.datetime(2018, 10, 12, tzinfo=UTC))
        engine.check_deadlines(now=dt.datetime(2018, 10, 13, tzinfo=UTC))
    [message] = mail.outbox
    assert "Deadline missed" in message.subject and deadline.description in message.body


def test_due_within_n_days_is_alerted_when_the_window_opens(coordinator):
    rule = make_rule(coordinator, emails="desk@ngo.example", events=["deadline_due_soon"], due_within_days=1)
    deadline = DeadlineFactory(due_date=dt.date(2018, 10, 10))
    due_at = type(deadline).objects.get(pk=deadline.pk).due_at
    assert services.decide_deadlines_due(now=due_at - dt.timedelta(days=3)) == []
    assert len(services.decide_deadlines_due(now=due_at - dt.timedelta(hours=20))) == 1
    assert len(services.decide_deadlines_due(now=due_at - dt.timedelta(hours=10))) == 1  # the same alert
    [delivery] = AlertDelivery.objects.filter(rule=rule)
    assert delivery.object_ids == [deadline.id]


def test_the_engines_due_soon_signal_alerts_rules_whose_window_it_is_in(coordinator):
    make_rule(coordinator, emails="desk@ngo.example", events=["deadline_due_soon"], due_within_days=7)
    deadline = DeadlineFactory(due_date=dt.date(2018, 10, 10))
    engine.check_deadlines(now=dt.datetime(2018, 10, 6, tzinfo=UTC), due_soon_days=7)
    assert AlertDelivery.objects.get().object_ids == [deadline.id]


def test_a_confirmation_is_alerted(coordinator, analyst):
    make_rule(coordinator, emails="desk@ngo.example", events=["violation_confirmed"])
    violation = ViolationFactory()
    engine.review_violation(violation.id, status="confirmed", user=analyst)
    engine.review_violation(violation.id, status="confirmed", user=analyst, note="again")
    engine.review_violation(ViolationFactory().id, status="dismissed", user=analyst)
    assert list(AlertDelivery.objects.values_list("object_ids", flat=True)) == [[violation.id]]
