"""Reports and dashboards count events: reports of one happening count once."""

import datetime as dt

import pytest
from django.urls import reverse

from events import services
from reports.build import build_report_data
from tests.factories import AgreementFactory, ClauseFactory
from tracker import services as engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_reports_of_two_strikes(report):
    agreement = AgreementFactory()
    ClauseFactory(agreement=agreement, prohibited_categories=["air_strike"])
    report("ucdp")
    report("acled", km_north=2)
    report("acled", km_north=300)  # another strike, reported once
    engine.scan_violations(full=True)
    services.group_all()
    return agreement


def test_the_report_says_violations_in_events(three_reports_of_two_strikes):
    data = build_report_data(
        agreement=three_reports_of_two_strikes,
        start=dt.date(2019, 4, 1),
        end=dt.date(2019, 4, 7),
        tz=dt.UTC,
    )
    assert data["totals"]["violations"] == 3
    assert data["events"] == {"current": 2, "previous": 0}
    assert data["trend"]["events"]["current"] == 2
    assert data["summary"] == "3 violations in 2 events"


def test_an_events_casualties_count_once(report):
    """12 and 10 killed reported of one strike: 10 (the lower middle report, as the event's best
    estimate), not 22; a strike reported once adds its own."""
    agreement = AgreementFactory()
    ClauseFactory(agreement=agreement, prohibited_categories=["air_strike"])
    report("ucdp", killed_civilians=12)
    report("acled", km_north=2, killed_civilians=7, killed_combatants=3)
    report("acled", km_north=300, killed_civilians=5)
    engine.scan_violations(full=True)
    services.group_all()
    data = build_report_data(
        agreement=agreement, start=dt.date(2019, 4, 1), end=dt.date(2019, 4, 7), tz=dt.UTC
    )
    assert data["summary"] == "3 violations in 2 events"
    casualties = data["casualties"]
    assert (casualties["killed_civilians"], casualties["killed_combatants"], casualties["killed"]) == (
        12,
        3,
        15,
    )


def test_one_violation_in_one_event_is_singular():
    from reports.build import violations_in_events

    assert violations_in_events(1, 1) == "1 violation in 1 event"


def test_the_dashboard_counts_events(three_reports_of_two_strikes, client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("reports:dashboard-index")).content.decode()
    assert '<td class="n">3</td>' in page
    assert ">2</td>" in page
