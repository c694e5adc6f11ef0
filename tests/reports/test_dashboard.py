import datetime as dt
import json

import pytest
from django.urls import reverse

from reports import services
from tests.factories import ReportSubscriptionFactory, UserFactory

MONDAY = dt.datetime(2019, 4, 8, 6, 5, tzinfo=dt.UTC)


def dashboard_data(response):
    html = response.content.decode()
    start = html.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/sochi-2018/"])
def test_anonymous_and_non_staff_users_are_sent_to_the_login(client, fixture_week, url):
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory(username="outsider", is_staff=False))
    assert client.get(url).status_code == 302


def test_the_index_lists_agreements_with_their_counts(client, fixture_week, viewer):
    client.force_login(viewer)
    html = client.get("/dashboard/").content.decode()
    assert 'href="/dashboard/sochi-2018/"' in html and "Astana memorandum" in html


def test_the_agreement_page_has_clauses_deadlines_timeline_map_and_reports(client, fixture_week, viewer):
    subscription = ReportSubscriptionFactory(agreement=fixture_week["agreement"], name="Monitors weekly")
    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)
    client.force_login(viewer)
    response = client.get("/dashboard/sochi-2018/?days=30&until=2019-04-07")
    assert response.status_code == 200
    html = response.content.decode()
    assert "§1 Ceasefire" in html and "Deadline missed" in html
    assert "Monitors weekly" in html and reverse("reports:report-download", args=[report.pk, "csv"]) in html
    assert (
        "/static/reports/vendor/chartjs-4.6.1/chart.umd.min.js" in html
        and "https://" not in html.split("<body")[0]
    )

    data = dashboard_data(response)
    assert data["timeline"]["days"][-1] == "2019-04-07" and len(data["timeline"]["days"]) == 30
    assert data["timeline"]["series"]["Government of Syria"][-6:] == [2, 1, 0, 0, 0, 0]
    assert {d["state"] for d in data["deadlines"]} == {"missed", "due", "met"}
    violations = [p for p in data["map"]["points"] if p["violation"]]
    # The week's four (not the dismissed one) and 27 March; not 8 April (after the window).
    assert len(violations) == 5
    assert [f["properties"]["name"] for f in data["map"]["areas"]["features"]] == ["Demilitarized zone"]


def test_the_window_defaults_to_the_latest_violation(client, fixture_week, viewer):
    client.force_login(viewer)
    data = dashboard_data(client.get("/dashboard/sochi-2018/"))
    assert data["timeline"]["days"][-1] == "2019-04-08"  # the Monday decoy is the latest violation


def test_an_unknown_agreement_is_not_found(client, db, viewer):
    client.force_login(viewer)
    assert client.get("/dashboard/nowhere/").status_code == 404


def test_report_downloads_need_the_permission(client, fixture_week, viewer):
    subscription = ReportSubscriptionFactory(agreement=fixture_week["agreement"])
    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)
    url = reverse("reports:report-download", args=[report.pk, "html"])
    client.force_login(UserFactory(username="staff-without-roles"))
    assert client.get(url).status_code == 403
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200 and response.content.decode() == report.html
