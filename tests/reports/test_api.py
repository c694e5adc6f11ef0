import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from reports import services
from tests.factories import ReportSubscriptionFactory, UserFactory

pytestmark = pytest.mark.urls("tests.reports.api_urls")
MONDAY = dt.datetime(2019, 4, 8, 6, 5, tzinfo=dt.UTC)


@pytest.fixture
def report(fixture_week):
    subscription = ReportSubscriptionFactory(agreement=fixture_week["agreement"])
    return services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)[0]


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_and_users_without_the_permission_are_refused(report):
    assert client_for(None).get("/api/v1/reports/").status_code in (401, 403)
    nobody = UserFactory(username="nobody", is_staff=False)
    assert client_for(nobody).get("/api/v1/reports/").status_code == 403
    assert client_for(nobody).get(f"/api/v1/reports/{report.pk}/download/?format=html").status_code == 403


def test_a_viewer_lists_and_retrieves_reports(report, viewer):
    listing = client_for(viewer).get("/api/v1/reports/?agreement=sochi-2018")
    assert listing.status_code == 200
    [item] = listing.json()["results"] if "results" in listing.json() else listing.json()
    assert (item["agreement"], item["period_start"], item["totals"]["violations"]) == (
        "sochi-2018",
        "2019-04-01",
        5,
    )
    assert item["downloads"]["csv"].endswith(f"/api/v1/reports/{report.pk}/download/?format=csv")
    assert client_for(viewer).get(f"/api/v1/reports/{report.pk}/").json()["title"] == report.title


@pytest.mark.parametrize(
    "fmt, content_type, marker",
    [
        ("html", "text/html; charset=utf-8", b"<!DOCTYPE html>"),
        ("csv", "text/csv; charset=utf-8", b"section,key,label,metric,value"),
        ("json", "application/json", b'"schema_version": 1'),
        ("pdf", "application/pdf", b"%PDF-"),
    ],
)
def test_a_viewer_downloads_each_format(report, viewer, fmt, content_type, marker):
    response = client_for(viewer).get(f"/api/v1/reports/{report.pk}/download/?format={fmt}")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert marker in response.content
    assert f'filename="sochi-2018-2019-04-01-2019-04-07.{fmt}"' in response["Content-Disposition"]


def test_the_download_is_the_stored_content(report, viewer):
    response = client_for(viewer).get(f"/api/v1/reports/{report.pk}/download/?format=json")
    assert json.loads(response.content) == report.data


def test_reports_are_read_only(report, coordinator):
    assert client_for(coordinator).delete(f"/api/v1/reports/{report.pk}/").status_code in (403, 405)
    assert client_for(coordinator).post("/api/v1/reports/", {}).status_code in (403, 405)
    superuser = UserFactory(username="root", is_superuser=True)
    assert client_for(superuser).delete(f"/api/v1/reports/{report.pk}/").status_code == 405
    assert type(report).objects.filter(pk=report.pk).exists()
