import datetime as dt

import pytest
from django.core.management import call_command

from agreements.choices import DeadlineStatus
from agreements.services import mark_deadline_met
from core.exceptions import StateConflict
from tests.factories import DeadlineFactory
from tracker import services

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def test_a_bare_date_falls_due_at_the_end_of_that_day_in_the_agreements_timezone():
    deadline = DeadlineFactory(due_date=dt.date(2018, 12, 31))  # Asia/Damascus, UTC+2 in winter 2018
    assert deadline.due_at == dt.datetime(2018, 12, 31, 22, 0, tzinfo=UTC)


def test_it_flags_a_deadline_missed_once_its_due_moment_has_passed():
    deadline = DeadlineFactory(due_date=dt.date(2018, 12, 31))
    services.check_deadlines(now=dt.datetime(2018, 12, 31, 21, 59, tzinfo=UTC))
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.PENDING and deadline.due_soon
    at = dt.datetime(2018, 12, 31, 22, 0, tzinfo=UTC)
    changes = services.check_deadlines(now=at)
    deadline.refresh_from_db()
    assert (
        deadline.status == DeadlineStatus.MISSED
        and deadline.missed_at == deadline.due_at == at
        and not deadline.due_soon
    )
    assert changes["missed"] == [str(deadline)]
    assert deadline.history.first().history_change_reason == "Deadline check"


def test_met_and_waived_deadlines_are_left_alone():
    met = DeadlineFactory(status=DeadlineStatus.MET, met_at=dt.datetime(2018, 10, 9, tzinfo=UTC))
    waived = DeadlineFactory(status=DeadlineStatus.WAIVED)
    services.check_deadlines(now=dt.datetime(2019, 6, 1, tzinfo=UTC))
    met.refresh_from_db(), waived.refresh_from_db()
    assert (met.status, waived.status) == (DeadlineStatus.MET, DeadlineStatus.WAIVED)


def test_an_extended_deadline_falls_due_at_its_new_date():
    deadline = DeadlineFactory(
        due_date=dt.date(2018, 10, 10), status=DeadlineStatus.EXTENDED, extended_to=dt.date(2018, 11, 10)
    )
    services.check_deadlines(now=dt.datetime(2018, 10, 20, tzinfo=UTC))
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.EXTENDED
    services.check_deadlines(now=dt.datetime(2018, 11, 11, tzinfo=UTC))
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MISSED


def test_a_second_check_changes_nothing(capsys):
    DeadlineFactory(due_date=dt.date(2018, 10, 10))
    call_command("check_deadlines", "--at", "2019-01-01")
    assert "Missed: Heavy weapons withdrawn from the zone" in capsys.readouterr().out
    call_command("check_deadlines", "--at", "2019-01-01")
    assert "No deadline changed." in capsys.readouterr().out


def test_a_missed_deadline_can_be_marked_met_late():
    deadline = DeadlineFactory(due_date=dt.date(2018, 10, 10))
    services.check_deadlines(now=dt.datetime(2019, 1, 1, tzinfo=UTC))
    mark_deadline_met(deadline.id, met_at=dt.datetime(2019, 2, 1, tzinfo=UTC), evidence="Observed")
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET and deadline.evidence == "Observed"
    with pytest.raises(StateConflict):
        DeadlineFactory(status=DeadlineStatus.WAIVED)
        mark_deadline_met(
            deadline.__class__.objects.get(status=DeadlineStatus.WAIVED).id, met_at=None, evidence=""
        )
