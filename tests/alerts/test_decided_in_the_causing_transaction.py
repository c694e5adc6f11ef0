"""Alerts are decided in the transaction that caused them: they commit or roll back with it."""

import datetime as dt

import pytest
from django.db import transaction

from alerts import services
from alerts.models import Alert, AlertDelivery
from tests.alerts.conftest import make_rule
from tests.factories import AreaFactory, IncidentFactory, ViolationFactory
from tracker import events
from tracker import services as engine

pytestmark = pytest.mark.django_db


def test_a_rolled_back_scan_alerts_nobody(ceasefire, government, coordinator):
    make_rule(coordinator, emails="desk@ngo.example")
    IncidentFactory(perpetrator=government)
    with pytest.raises(RuntimeError), transaction.atomic():
        engine.scan_violations(full=True)
        assert AlertDelivery.objects.count() == 1  # decided inside the transaction
        raise RuntimeError("the scan's transaction fails after deciding")
    assert not Alert.objects.exists() and not AlertDelivery.objects.exists()


def test_a_second_scan_alerts_nothing_new(ceasefire, government, coordinator):
    make_rule(coordinator, emails="desk@ngo.example")
    IncidentFactory.create_batch(2, perpetrator=government)
    engine.scan_violations(full=True)
    engine.scan_violations(full=True)
    assert AlertDelivery.objects.get().object_ids and Alert.objects.count() == 1


def test_rules_filter_by_confidence_agreement_party_and_area(coordinator, government):
    high = ViolationFactory(confidence="high", incident__perpetrator=government)
    low = ViolationFactory(confidence="low")
    everything = make_rule(coordinator, emails="a@x.example", name="all")
    high_only = make_rule(coordinator, emails="b@x.example", name="high", min_confidence="high")
    by_party = make_rule(coordinator, emails="c@x.example", name="party")
    by_party.parties.set([government])
    other_agreement = make_rule(coordinator, emails="d@x.example", name="agreement")
    other_agreement.agreements.set([high.clause.agreement])
    zone = AreaFactory()
    high.clause.areas.set([zone])
    by_area = make_rule(coordinator, emails="e@x.example", name="area")
    by_area.areas.set([zone])
    services.decide("violation_flagged", [high.id, low.id])
    matched = {d.rule_id: d.object_ids for d in AlertDelivery.objects.all()}
    assert matched == {
        everything.id: [high.id, low.id],
        high_only.id: [high.id],
        by_party.id: [high.id],
        other_agreement.id: [high.id],
        by_area.id: [high.id],
    }


def test_inactive_rules_and_other_events_get_nothing(coordinator):
    make_rule(coordinator, emails="a@x.example", active=False)
    make_rule(coordinator, emails="b@x.example", events=["deadline_missed"])
    assert services.decide("violation_flagged", [ViolationFactory().id]) is None
    assert not Alert.objects.exists()


def test_one_delivery_per_rule_and_recipient_even_if_decided_twice(coordinator):
    rule = make_rule(coordinator, emails="a@x.example\nA@X.example\nb@x.example")
    violation = ViolationFactory()
    alert = services.decide("violation_flagged", [violation.id], key="same")
    services.create_deliveries(alert, {rule: [violation.id]}, alert.created_at)
    assert sorted(AlertDelivery.objects.values_list("recipient", flat=True)) == ["a@x.example", "b@x.example"]


def test_two_claims_of_one_delivery_send_it_once(coordinator):
    make_rule(coordinator, emails="a@x.example")
    services.decide("violation_flagged", [ViolationFactory().id])
    delivery = AlertDelivery.objects.get()
    now = services.timezone.now()
    assert services.deliver(delivery.id, now=now) == "sent"
    assert services.deliver(delivery.id, now=now) is None


def test_a_stale_claim_is_taken_over(coordinator, settings):
    from django.core import mail

    make_rule(coordinator, emails="a@x.example")
    services.decide("violation_flagged", [ViolationFactory().id])
    now = services.timezone.now()
    AlertDelivery.objects.update(status="sending", claimed_at=now, attempts=1)  # a worker died here
    assert services.due_deliveries(now + dt.timedelta(seconds=10)) == []
    later = now + dt.timedelta(seconds=settings.ALERTS_STALE_CLAIM_SECONDS + 1)
    assert services.deliver(AlertDelivery.objects.get().id, now=later) == "sent"
    assert len(mail.outbox) == 1 and AlertDelivery.objects.get().attempts == 2


def test_the_engine_sends_its_signal_inside_its_transaction(ceasefire, government):
    seen = []

    def listener(sender, ids, **kwargs):
        seen.append((ids, transaction.get_connection().in_atomic_block))

    events.violations_flagged.connect(listener)
    try:
        incident = IncidentFactory(perpetrator=government)
        engine.scan_violations(full=True)
    finally:
        events.violations_flagged.disconnect(listener)
    [(ids, in_transaction)] = seen
    assert ids == list(incident.violations.values_list("id", flat=True)) and in_transaction
