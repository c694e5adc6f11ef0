import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from reports import services
from reports.models import Report, ReportSubscription
from tests.factories import ReportSubscriptionFactory, UserFactory

MONDAY = dt.datetime(2019, 4, 8, 6, 5, tzinfo=dt.UTC)


def form_data(agreement, **overrides):
    data = {
        "name": "Weekly to the monitors",
        "agreement": agreement.pk,
        "frequency": "weekly",
        "language": "en",
        "recipients": "a@example.org, b@example.org",
        "formats": ["csv"],
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def subscription_manager(db):
    user = UserFactory(username="manager")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="reports",
            codename__in=["add_reportsubscription", "change_reportsubscription", "view_reportsubscription"],
        )
    )
    return user


def test_only_staff_with_the_confidential_permission_may_include_confidential_sources(
    client, fixture_week, subscription_manager
):
    client.force_login(subscription_manager)
    url = reverse("admin:reports_reportsubscription_add")
    response = client.post(url, form_data(fixture_week["agreement"], include_confidential="on"))
    assert response.status_code == 200
    assert "Only staff allowed to see confidential sources" in response.content.decode()
    assert not ReportSubscription.objects.exists()


def test_a_coordinator_may_include_them_and_is_recorded_as_approver(client, fixture_week, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:reports_reportsubscription_add"),
        form_data(fixture_week["agreement"], include_confidential="on"),
    )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert subscription.confidential_approved_by == coordinator and subscription.confidential_allowed
    assert subscription.recipient_list == ["a@example.org", "b@example.org"]
    assert subscription.next_due_at is not None


def test_bad_recipients_are_explained(client, fixture_week, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:reports_reportsubscription_add"),
        form_data(fixture_week["agreement"], recipients="a@example.org, not-an-address"),
    )
    assert "Not valid email addresses: not-an-address." in response.content.decode()


def test_generate_now_builds_and_sends_once(client, fixture_week, superuser):
    subscription = ReportSubscriptionFactory(agreement=fixture_week["agreement"])
    client.force_login(superuser)
    url = reverse("admin:reports_reportsubscription_changelist")
    data = {"action": "generate_now", "_selected_action": [subscription.pk]}

    first = client.post(url, data, follow=True).content.decode()
    second = client.post(url, data, follow=True).content.decode()

    assert "and sent" in first and "already exists" in second
    assert Report.objects.count() == 1 and len(mail.outbox) == 1


def test_report_admin_pages_and_downloads_load(client, fixture_week, superuser):
    subscription = ReportSubscriptionFactory(agreement=fixture_week["agreement"])
    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)
    client.force_login(superuser)
    for name, args in [
        ("admin:reports_reportsubscription_changelist", []),
        ("admin:reports_reportsubscription_change", [subscription.pk]),
        ("admin:reports_report_changelist", []),
        ("admin:reports_report_change", [report.pk]),
        ("admin:reports_reportdelivery_changelist", []),
        ("admin:reports_reportdelivery_change", [report.delivery.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    csv = client.get(reverse("admin:reports_report_download", args=[report.pk, "csv"]))
    assert csv.status_code == 200 and b"totals,,All,violations,5" in csv.content


def test_the_admin_index_links_to_the_dashboards(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Compliance dashboards" in html and f'href="{reverse("reports:dashboard-index")}"' in html
