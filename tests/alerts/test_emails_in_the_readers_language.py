"""An alert email is written in its reader's language: a user's preference, else the rule owner's."""

import datetime as dt

import pytest
from django.core import mail

from accounts.language import set_language
from alerts import services
from alerts.models import AlertDelivery
from tests.alerts.conftest import make_rule
from tests.factories import DeadlineFactory, UserFactory, ViolationFactory
from tracker import services as engine

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture(autouse=True)
def no_check_on_save(settings):
    settings.TRACKER_CHECK_DEADLINES_ON_SAVE = False


def miss_a_deadline(django_capture_on_commit_callbacks):
    deadline = DeadlineFactory(due_date=dt.date(2018, 10, 10), description_ar="سحب الأسلحة الثقيلة")
    with django_capture_on_commit_callbacks(execute=True):
        engine.check_deadlines(now=dt.datetime(2018, 10, 12, tzinfo=UTC))
    return deadline


def test_a_user_who_reads_arabic_gets_the_alert_in_arabic_and_another_in_english(
    coordinator, django_capture_on_commit_callbacks
):
    reader = UserFactory(username="reader", email="reader@ngo.example")
    set_language(reader, "ar")
    colleague = UserFactory(username="colleague", email="colleague@ngo.example")
    make_rule(coordinator, events=["deadline_missed"], recipients=[reader, colleague])
    deadline = miss_a_deadline(django_capture_on_commit_callbacks)

    messages = {message.to[0]: message for message in mail.outbox}
    assert messages["reader@ngo.example"].subject.startswith("[تنبيه] فات الموعد النهائي: 1")
    assert "سحب الأسلحة الثقيلة (يستحق في 10 تشرين الأول 2018)" in messages["reader@ngo.example"].body
    assert messages["colleague@ngo.example"].subject.startswith("[Alert] Deadline missed: 1")
    assert f"{deadline.description} (due 10 Oct 2018)" in messages["colleague@ngo.example"].body


def test_an_address_without_a_user_is_written_to_in_the_owners_language(
    coordinator, django_capture_on_commit_callbacks
):
    set_language(coordinator, "ar")
    make_rule(coordinator, emails="desk@ngo.example", events=["deadline_missed"])
    miss_a_deadline(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.subject == "[تنبيه] فات الموعد النهائي: 1 (Rule)"
    assert message.body.startswith("فات الموعد النهائي: 1 (القاعدة «Rule»).")


def test_a_violation_alert_in_arabic_names_the_event_category_place_and_confidence_in_arabic(superuser):
    set_language(superuser, "ar")
    make_rule(superuser, emails="desk@ngo.example")
    violation = ViolationFactory(
        incident__place_name="Saraqib", incident__category="shelling", confidence="high"
    )
    services.decide("violation_flagged", [violation.id])
    services.deliver(AlertDelivery.objects.get().pk)

    [message] = mail.outbox
    assert message.subject == "[تنبيه] رُصد انتهاك: 1 (Rule)"
    line = message.body.splitlines()[2]
    assert "في سراقب" in line and "(درجة الثقة: عالية)" in line and "Saraqib" not in line
