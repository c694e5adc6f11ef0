import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import IncidentFactory, ViolationFactory
from tests.reports.test_dashboard import dashboard_data


def test_with_until_the_clause_table_counts_up_to_that_day_only(client, fixture_week, viewer):
    c1 = fixture_week["clauses"][0]
    ViolationFactory(incident=IncidentFactory(occurred_at=timezone.now() - dt.timedelta(days=2)), clause=c1)
    client.force_login(viewer)

    html = client.get("/dashboard/sochi-2018/?until=2019-04-30").content.decode()

    assert "Violated in the 30 days to 30 Apr 2019" in html
    assert "30 days to 30 Apr 2019</th>" in html
    last_violation_dates = [d for d in ("8 Apr 2019", "4 Apr 2019") if d in html]
    assert last_violation_dates  # the last violation is April 2019's, not the recent incident's
    assert f"{timezone.now():%b %Y}" not in html.split('id="clauses"')[1].split("</table>")[0]


def test_before_until_minus_30_days_it_says_violated_earlier(client, fixture_week, viewer):
    client.force_login(viewer)
    html = client.get("/dashboard/sochi-2018/?until=2019-06-30").content.decode()
    assert "Violated earlier" in html and "Violated in the 30 days" not in html


@pytest.mark.django_db
def test_by_default_one_current_incident_does_not_hide_the_2019_violations(client, fixture_week, viewer):
    c1 = fixture_week["clauses"][0]
    ViolationFactory(incident=IncidentFactory(occurred_at=timezone.now() - dt.timedelta(days=2)), clause=c1)
    client.force_login(viewer)

    data = dashboard_data(client.get("/dashboard/sochi-2018/"))

    assert data["timeline"]["days"][0] <= "2019-03-27"  # the first violation of the fixture
    assert (
        data["timeline"]["days"][-1]
        == (timezone.now() - dt.timedelta(days=2)).astimezone(fixture_week["agreement"].tz).date().isoformat()
    )
    assert sum(data["timeline"]["series"]["Government of Syria"]) >= 3
