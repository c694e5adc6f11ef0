import datetime as dt

import pytest
from django.core import mail

from reports import services
from reports.choices import DeliveryStatus
from reports.models import Report, ReportDelivery
from tests.factories import ReportSubscriptionFactory

UTC = dt.UTC
MONDAY = dt.datetime(2019, 4, 8, 6, 5, tzinfo=UTC)


@pytest.fixture
def subscription(fixture_week):
    return ReportSubscriptionFactory(agreement=fixture_week["agreement"])


def test_it_builds_and_sends_the_last_complete_week(subscription):
    counts = services.run_due_reports(now=MONDAY)

    assert counts == {"due": 1, "built": 1, "existing": 0, "failed": 0, "sent": 1, "send_failed": 0}
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (dt.date(2019, 4, 1), dt.date(2019, 4, 7))
    assert report.data["totals"]["violations"] == 5
    assert report.delivery.status == DeliveryStatus.SENT and report.delivery.attempts == 1
    assert len(mail.outbox) == 1
    subscription.refresh_from_db()
    assert subscription.next_due_at == dt.datetime(2019, 4, 14, 21, 0, tzinfo=UTC)  # Monday 00:00 Damascus


def test_running_twice_makes_one_report_and_one_email(subscription):
    services.run_due_reports(now=MONDAY)
    second = services.run_due_reports(now=MONDAY + dt.timedelta(hours=1))

    assert second["due"] == 0 and second["sent"] == 0
    assert Report.objects.count() == 1 and len(mail.outbox) == 1


def test_a_replayed_schedule_reuses_the_stored_report(subscription):
    services.run_due_reports(now=MONDAY)
    # As if a second worker had read the subscription before the first one moved it on.
    type(subscription).objects.filter(pk=subscription.pk).update(next_due_at=MONDAY - dt.timedelta(hours=9))
    again = services.run_due_reports(now=MONDAY)

    assert again["due"] == 1 and again["existing"] == 1 and again["built"] == 0 and again["sent"] == 0
    assert Report.objects.count() == 1 and len(mail.outbox) == 1


def test_generating_the_same_period_twice_returns_the_first_report(subscription):
    first, created = services.generate_report(
        subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY
    )
    second, created_again = services.generate_report(
        subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY
    )

    assert created and not created_again and first.pk == second.pk


def test_the_database_refuses_a_second_report_for_a_period(subscription):
    from django.db import IntegrityError, transaction

    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)
    fields = {f.name: getattr(report, f.name) for f in Report._meta.concrete_fields if f.name != "id"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(**fields)


def test_a_stored_report_cannot_be_changed(subscription):
    from django.core.exceptions import ValidationError

    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)
    report.html = "tampered"
    with pytest.raises(ValidationError):
        report.save()


def test_a_delivery_is_claimed_once(subscription):
    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)

    assert services.deliver(report.delivery.pk, now=MONDAY) == DeliveryStatus.SENT
    assert services.deliver(report.delivery.pk, now=MONDAY) is None
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_retried_with_backoff(subscription, settings):
    settings.EMAIL_BACKEND = "tests.reports.backends.FailingBackend"
    services.run_due_reports(now=MONDAY)

    delivery = ReportDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "SMTPServerDisconnected" in delivery.last_error
    assert delivery.next_attempt_at == MONDAY + dt.timedelta(minutes=1)

    # Before the backoff is over nothing is tried; after it, the send goes out once.
    assert services.run_due_reports(now=MONDAY + dt.timedelta(seconds=30))["send_failed"] == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.run_due_reports(now=MONDAY + dt.timedelta(minutes=2))["sent"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_it_gives_up_after_the_last_attempt(subscription, settings):
    settings.EMAIL_BACKEND = "tests.reports.backends.FailingBackend"
    now = MONDAY
    for _ in range(services.MAX_ATTEMPTS):
        services.run_due_reports(now=now)
        now += dt.timedelta(days=1)  # further than any backoff, but still the same week's report
        type(subscription).objects.filter(pk=subscription.pk).update(
            next_due_at=dt.datetime(2030, 1, 1, tzinfo=UTC)
        )

    delivery = ReportDelivery.objects.get()
    assert delivery.attempts == services.MAX_ATTEMPTS and delivery.next_attempt_at is None
    assert services.due_deliveries(now=now + dt.timedelta(days=30)) == []


def test_a_sending_claim_left_by_a_dead_worker_is_taken_over(subscription):
    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)
    ReportDelivery.objects.filter(pk=report.delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=MONDAY, attempts=1
    )

    assert services.deliver(report.delivery.pk, now=MONDAY + dt.timedelta(minutes=5)) is None
    assert services.deliver(report.delivery.pk, now=MONDAY + dt.timedelta(hours=1)) == DeliveryStatus.SENT


def test_inactive_and_not_yet_due_subscriptions_are_left_alone(fixture_week):
    ReportSubscriptionFactory(agreement=fixture_week["agreement"], active=False)
    ReportSubscriptionFactory(agreement=fixture_week["agreement"], next_due_at=MONDAY + dt.timedelta(days=3))

    assert services.run_due_reports(now=MONDAY)["due"] == 0
    assert not Report.objects.exists()


def test_the_celery_tasks_run_the_same_way_twice(subscription, settings):
    from reports import tasks

    type(subscription).objects.filter(pk=subscription.pk).update(
        next_due_at=dt.datetime(2019, 4, 1, tzinfo=UTC)
    )
    first = tasks.run_due_reports.delay().get()
    second = tasks.run_due_reports.delay().get()

    assert first["built"] == 1 and first["queued"] == 1
    assert second["due"] == 0 and second["queued"] == 0
    assert Report.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("formats, stored", [(["csv", "pdf"], True), (["csv"], False)])
def test_the_pdf_is_stored_when_asked_for_and_rendered_from_the_stored_data_otherwise(
    fixture_week, formats, stored
):
    subscription = ReportSubscriptionFactory(agreement=fixture_week["agreement"], formats=formats)
    report, _ = services.generate_report(subscription, dt.date(2019, 4, 1), dt.date(2019, 4, 7), now=MONDAY)

    report = Report.objects.get(pk=report.pk)
    assert bool(bytes(report.pdf)) is stored
    body, content_type, filename = report.content("pdf")
    assert body.startswith(b"%PDF-") and content_type == "application/pdf" and filename.endswith(".pdf")


def test_the_beat_schedule_runs_the_registered_task(settings):
    from config.celery import app
    from reports import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["run-due-reports"]
    assert entry["task"] == tasks.run_due_reports.name and entry["task"] in app.tasks
    assert tasks.deliver_report.name in app.tasks
