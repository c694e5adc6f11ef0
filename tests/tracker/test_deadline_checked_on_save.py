import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import DeadlineStatus
from tests.factories import ClauseFactory, DeadlineFactory
from tracker.choices import JobKind
from tracker.models import JobRun

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def check_on_save(settings):
    settings.TRACKER_CHECK_DEADLINES_ON_SAVE = True


def test_a_deadline_saved_with_a_past_due_date_is_missed_at_once(check_on_save):
    deadline = DeadlineFactory(due_date=dt.date(2018, 10, 10))
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MISSED
    assert deadline.missed_at == deadline.due_at  # the moment it passed, not the moment of the check


def test_a_future_deadline_stays_pending(check_on_save):
    deadline = DeadlineFactory(due_date=timezone.now().date() + dt.timedelta(days=60))
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.PENDING


def test_one_transaction_saving_many_deadlines_checks_once(check_on_save):
    from django.db import transaction

    clause = ClauseFactory()
    with transaction.atomic():
        for day in (10, 11, 12):
            DeadlineFactory(clause=clause, due_date=dt.date(2018, 10, day))
    assert JobRun.objects.filter(kind=JobKind.CHECK_DEADLINES).count() == 1
