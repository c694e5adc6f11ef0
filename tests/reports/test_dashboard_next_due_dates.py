import datetime as dt

import pytest

from agreements.choices import DeadlineStatus
from tests.factories import AgreementFactory, ClauseFactory, DeadlineFactory

pytestmark = pytest.mark.django_db


def test_next_due_shows_the_day_a_deadline_is_due_not_the_midnight_after(client, viewer):
    agreement = AgreementFactory(slug="sochi-2018")
    weapons, roads = (
        ClauseFactory(agreement=agreement, number="6"),
        ClauseFactory(agreement=agreement, number="8"),
    )
    DeadlineFactory(clause=weapons, due_date=dt.date(2018, 10, 10))
    DeadlineFactory(clause=roads, due_date=dt.date(2018, 12, 31), description="by the end of 2018")
    client.force_login(viewer)

    html = client.get("/dashboard/sochi-2018/").content.decode()

    assert "10 Oct 2018" in html and "31 Dec 2018" in html
    assert "11 Oct 2018" not in html and "1 Jan 2019" not in html


def test_next_due_is_an_extended_deadlines_new_date(client, viewer):
    clause = ClauseFactory(agreement=AgreementFactory(slug="sochi-2018"))
    DeadlineFactory(
        clause=clause,
        due_date=dt.date(2018, 10, 10),
        status=DeadlineStatus.EXTENDED,
        extended_to=dt.date(2018, 11, 5),
    )
    client.force_login(viewer)
    assert "5 Nov 2018" in client.get("/dashboard/sochi-2018/").content.decode()
