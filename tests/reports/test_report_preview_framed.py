"""The report preview on a report's admin page shows the report (it used to refuse to be framed)."""

import datetime as dt

import pytest
from django.urls import reverse

from reports import services
from tests.factories import ReportSubscriptionFactory

pytestmark = pytest.mark.django_db


def test_the_report_preview_may_be_framed_by_its_own_site(client, fixture_week, superuser):
    subscription = ReportSubscriptionFactory(agreement=fixture_week["agreement"])
    now = dt.datetime(2019, 4, 8, 6, 5, tzinfo=dt.UTC)
    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=now)
    client.force_login(superuser)
    url = reverse("admin:reports_report_download", args=[report.pk, "html"])

    assert client.get(url + "?inline=1")["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(url)["X-Frame-Options"] == "DENY"  # a download stays unframeable
