"""The ORM side of reports: build, store, deliver. Idempotent; `now` is always an argument."""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import translation

from agreements.models import Agreement

from .build import build_report_data
from .charts import map_png, timeline_png
from .choices import DeliveryStatus, ReportFormat
from .delivery import send_report_email
from .models import Report, ReportDelivery, ReportSubscription
from .pdf import to_pdf
from .periods import last_complete_period, next_due_at
from .render import MAP_CID, TIMELINE_CID, data_uri, to_csv, to_html

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = dt.timedelta(minutes=1)
# A delivery still "sending" after this long belonged to a worker that died: try it again.
STALE_SENDING = dt.timedelta(minutes=30)


def retry_delay(attempts: int) -> dt.timedelta:
    """Backoff after the `attempts`-th failure: 1, 4, 16, 64 minutes."""
    return FIRST_RETRY * (4 ** (attempts - 1))


def build_report_content(
    *,
    agreement: Agreement | None,
    start: dt.date,
    end: dt.date,
    tz: dt.tzinfo,
    include_confidential: bool = False,
    now: dt.datetime,
    pdf: bool = False,
    language: str | None = None,
) -> dict[str, Any]:
    """All formats of one report: data, html (data URIs), email_html (cid:), csv, the PNGs; pdf if asked.

    Written in `language` (default: English), labels, names, dates and numbers alike.
    """
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        data = build_report_data(
            agreement=agreement,
            start=start,
            end=end,
            tz=tz,
            include_confidential=include_confidential,
            now=now,
        )
        timeline = timeline_png(data["timeline"])
        map_image = map_png(data["map_points"], data["areas"])
        return {
            "title": data["title"],
            "language": language,
            "data": data,
            "html": to_html(data, timeline_src=data_uri(timeline), map_src=data_uri(map_image)),
            "email_html": to_html(data, timeline_src=f"cid:{TIMELINE_CID}", map_src=f"cid:{MAP_CID}"),
            "csv": to_csv(data),
            "pdf": to_pdf(data, timeline_png=timeline, map_png=map_image) if pdf else b"",
            "timeline_png": timeline,
            "map_png": map_image,
        }


def generate_report(
    subscription: ReportSubscription, start: dt.date, end: dt.date, *, now: dt.datetime
) -> tuple[Report, bool]:
    """The subscription's report for [start, end], built and stored once. Returns (report, created)."""
    existing = Report.objects.filter(subscription=subscription, period_start=start, period_end=end).first()
    if existing is not None:
        return existing, False
    include_confidential = subscription.confidential_allowed
    content = build_report_content(
        agreement=subscription.agreement,
        start=start,
        end=end,
        tz=subscription.tz,
        include_confidential=include_confidential,
        now=now,
        pdf=ReportFormat.PDF in subscription.formats,
        language=subscription.language,
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                subscription=subscription,
                agreement=subscription.agreement,
                frequency=subscription.frequency,
                period_start=start,
                period_end=end,
                timezone=str(subscription.tz),
                include_confidential=include_confidential,
                generated_at=now,
                **content,
            )
            ReportDelivery.objects.create(
                report=report,
                recipients="\n".join(subscription.recipient_list),
                formats=list(subscription.formats),
                status=DeliveryStatus.PENDING,
            )
    except IntegrityError:
        # Another worker stored the same period first: theirs is the report.
        return Report.objects.get(subscription=subscription, period_start=start, period_end=end), False
    return report, True


def build_due_reports(*, now: dt.datetime) -> dict[str, int]:
    """Build the last complete period of every active subscription that is due. Returns counts."""
    counts = {"due": 0, "built": 0, "existing": 0, "failed": 0}
    due = ReportSubscription.objects.filter(active=True, next_due_at__lte=now).select_related(
        "agreement", "confidential_approved_by"
    )
    for subscription in due:
        counts["due"] += 1
        start, end = last_complete_period(subscription.frequency, now, subscription.tz)
        try:
            _, created = generate_report(subscription, start, end, now=now)
        except Exception:
            # One broken subscription must not stop the others; it stays due and is retried next run.
            log.exception("Report for subscription %s (%s to %s) failed", subscription.pk, start, end)
            counts["failed"] += 1
            continue
        counts["built" if created else "existing"] += 1
        ReportSubscription.objects.filter(pk=subscription.pk, next_due_at=subscription.next_due_at).update(
            next_due_at=next_due_at(subscription.frequency, now, subscription.tz)
        )
    return counts


def _claimable(now):
    return (
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_SENDING, attempts__lt=MAX_ATTEMPTS)
    )


def due_deliveries(*, now: dt.datetime) -> list[int]:
    """Ids of deliveries to attempt now: new ones, failed ones whose backoff is over, stale ones."""
    return list(ReportDelivery.objects.filter(_claimable(now)).order_by("id").values_list("id", flat=True))


def deliver(delivery_id: int, *, now: dt.datetime, connection: Any = None) -> str | None:
    """Send one report once. Returns the resulting status, or None if it was not ours to send.

    The claim is a compare-and-set on the status, so two workers (or a rerun) cannot both send.
    """
    claimed = ReportDelivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    delivery = ReportDelivery.objects.select_related("report", "report__agreement").get(pk=delivery_id)
    mine = ReportDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at=now)
    try:
        send_report_email(delivery.report, delivery.recipient_list, delivery.formats, connection=connection)
    except Exception as exc:
        retry_at = now + retry_delay(delivery.attempts) if delivery.attempts < MAX_ATTEMPTS else None
        mine.update(
            status=DeliveryStatus.FAILED, last_error=f"{type(exc).__name__}: {exc}", next_attempt_at=retry_at
        )
        log.warning("Report delivery %s failed (attempt %s): %s", delivery_id, delivery.attempts, exc)
        return DeliveryStatus.FAILED
    mine.update(status=DeliveryStatus.SENT, sent_at=now, last_error="", next_attempt_at=None)
    return DeliveryStatus.SENT


def run_due_reports(*, now: dt.datetime) -> dict[str, int]:
    """Build what is due and send what is waiting, inline (the command; tasks fan out instead)."""
    counts = build_due_reports(now=now)
    sent = failed = 0
    for delivery_id in due_deliveries(now=now):
        status = deliver(delivery_id, now=now)
        sent += status == DeliveryStatus.SENT
        failed += status == DeliveryStatus.FAILED
    return {**counts, "sent": sent, "send_failed": failed}


def generate_now(subscription: ReportSubscription, *, now: dt.datetime) -> tuple[Report, bool, str | None]:
    """The admin's "generate now": the last complete period, built (once) and sent (once)."""
    start, end = last_complete_period(subscription.frequency, now, subscription.tz)
    report, created = generate_report(subscription, start, end, now=now)
    status = deliver(report.delivery.pk, now=now)
    return report, created, status
