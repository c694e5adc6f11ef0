"""A report built with confidential sources is readable only by staff allowed to see them."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from core.roles import ANALYST
from reports import services
from tests.factories import ReportSubscriptionFactory, UserFactory

MONDAY = dt.datetime(2019, 4, 8, 6, 5, tzinfo=dt.UTC)


@pytest.fixture
def confidential_report(fixture_week):
    approver = UserFactory(username="approver", roles=[ANALYST])
    subscription = ReportSubscriptionFactory(
        agreement=fixture_week["agreement"], include_confidential=True, confidential_approved_by=approver
    )
    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)
    assert report.include_confidential and "Abu Khaled" in report.html
    return report


@pytest.mark.urls("tests.reports.api_urls")
def test_the_api_refuses_the_content_to_viewers(confidential_report, viewer, analyst):
    url = f"/api/v1/reports/{confidential_report.pk}/download/?format=html"
    client = APIClient()
    client.force_authenticate(viewer)
    assert client.get(url).status_code == 403
    client.force_authenticate(analyst)
    assert client.get(url).status_code == 200


def test_the_dashboard_and_admin_refuse_the_content_to_viewers(client, confidential_report, viewer, analyst):
    urls = [reverse("reports:report-download", args=[confidential_report.pk, "csv"])]
    client.force_login(viewer)
    assert all(client.get(url).status_code == 403 for url in urls)
    assert "confidential sources" in client.get("/dashboard/sochi-2018/").content.decode()
    assert urls[0] not in client.get("/dashboard/sochi-2018/").content.decode()
    client.force_login(analyst)
    assert all(client.get(url).status_code == 200 for url in urls)


def test_the_admin_download_is_refused_without_the_permission(client, confidential_report):
    staff = UserFactory(username="reader")
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="reports", codename="view_report")
    )
    client.force_login(staff)
    assert (
        client.get(reverse("admin:reports_report_change", args=[confidential_report.pk])).status_code == 200
    )
    assert (
        client.get(
            reverse("admin:reports_report_download", args=[confidential_report.pk, "html"])
        ).status_code
        == 403
    )


def test_recipients_of_a_confidential_subscription_stay_with_those_allowed(client, confidential_report):
    manager = UserFactory(username="manager")
    manager.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="reports",
            codename__in=["change_reportsubscription", "view_reportsubscription"],
        )
    )
    subscription = confidential_report.subscription
    client.force_login(manager)
    response = client.post(
        reverse("admin:reports_reportsubscription_change", args=[subscription.pk]),
        {
            "name": subscription.name,
            "agreement": subscription.agreement_id,
            "frequency": "weekly",
            "recipients": "outsider@example.com",
            "formats": ["csv"],
            "include_confidential": "on",
            "active": "on",
        },
    )
    assert (
        response.status_code == 200
        and "only staff allowed to see them may change" in response.content.decode()
    )
    subscription.refresh_from_db()
    assert subscription.recipient_list == ["monitor@example.org", "analyst@example.org"]
