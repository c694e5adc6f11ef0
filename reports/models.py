"""Report subscriptions, the stored reports, and their delivery state."""

import json
import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from core.fields import ChoiceListField

from .choices import DeliveryStatus, ReportFormat, ReportFrequency
from .periods import next_due_at

CONFIDENTIAL_PERMISSION = "incidents.view_confidential_source"
_SEPARATORS = re.compile(r"[\s,;]+")


def split_recipients(value):
    return [address for address in _SEPARATORS.split(value or "") if address]


def validate_recipients(value):
    addresses = split_recipients(value)
    if not addresses:
        raise ValidationError(_("Give at least one email address."))
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(_("Not valid email addresses: %(bad)s."), params={"bad": ", ".join(bad)})


class ReportSubscription(models.Model):
    """Who gets which report, how often. Periods are in the agreement's time zone (UTC for all)."""

    name = models.CharField(_("name"), max_length=200)
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_subscriptions",
        verbose_name=_("agreement"),
        help_text=_("Leave empty for a report on all agreements."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=ReportFrequency.choices, default=ReportFrequency.WEEKLY
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the report and its email are written in."),
    )
    recipients = models.TextField(
        _("recipients"),
        validators=[validate_recipients],
        help_text=_("Email addresses, one per line (commas also work)."),
    )
    formats = ChoiceListField(
        _("formats"),
        choices_enum=ReportFormat,
        help_text=_("Files attached to the email. The email body is always the HTML report."),
    )
    include_confidential = models.BooleanField(
        _("include confidential sources"),
        default=False,
        help_text=_(
            "Only staff allowed to see confidential sources may turn this on; every recipient will then see them."
        ),
    )
    confidential_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("confidential sources approved by"),
        help_text=_("Who allowed confidential sources; they are dropped if this person loses the right."),
    )
    active = models.BooleanField(_("active"), default=True)
    # The end of the period in progress: the hourly job only looks at subscriptions due by now.
    next_due_at = models.DateTimeField(_("next due at"), db_index=True, editable=False, null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        indexes = [models.Index(fields=["active", "next_due_at"])]

    def __str__(self):
        return self.name

    @property
    def tz(self):
        return self.agreement.tz if self.agreement_id else zoneinfo.ZoneInfo("UTC")

    @property
    def recipient_list(self):
        return split_recipients(self.recipients)

    @property
    def confidential_allowed(self):
        """Confidential sources appear only if asked for by someone who still may see them."""
        approver = self.confidential_approved_by
        return bool(
            self.include_confidential
            and approver is not None
            and approver.is_active
            and approver.has_perm(CONFIDENTIAL_PERMISSION)
        )

    def save(self, *args, **kwargs):
        if self.next_due_at is None or (self.pk and self._frequency_or_zone_changed()):
            self.next_due_at = next_due_at(self.frequency, timezone.now(), self.tz)
        super().save(*args, **kwargs)

    def _frequency_or_zone_changed(self):
        old = ReportSubscription.objects.filter(pk=self.pk).values("frequency", "agreement_id").first()
        return old is not None and (old["frequency"], old["agreement_id"]) != (
            self.frequency,
            self.agreement_id,
        )


class ReportQuerySet(models.QuerySet):
    def for_agreement(self, agreement):
        """Reports on this agreement, and reports on all agreements."""
        return self.filter(Q(agreement=agreement) | Q(agreement__isnull=True))


class Report(models.Model):
    """One report of one subscription for one period. Its content never changes once stored."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.PROTECT, related_name="reports", verbose_name=_("subscription")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("agreement"),
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=ReportFrequency.choices)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("Inclusive."))
    timezone = models.CharField(_("time zone"), max_length=64)
    include_confidential = models.BooleanField(_("include confidential sources"), default=False)
    generated_at = models.DateTimeField(_("generated at"), db_index=True)
    title = models.CharField(_("title"), max_length=300)
    data = models.JSONField(
        _("data"), help_text=_("Everything in the report, as published in the JSON format.")
    )
    html = models.TextField("HTML", help_text=_("Standalone HTML, charts as data URIs."))
    email_html = models.TextField(
        _("email HTML"), help_text=_("The email body: the same HTML with charts as inline (cid:) images.")
    )
    csv = models.TextField("CSV")
    # Only when the subscription asks for PDF (it is the slowest format); otherwise rendered on
    # demand from the stored data and charts, which never change.
    pdf = models.BinaryField("PDF", blank=True, default=b"")
    timeline_png = models.BinaryField(_("timeline chart"))
    map_png = models.BinaryField(_("map"))

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start", "period_end"], name="unique_report_period"
            )
        ]
        indexes = [models.Index(fields=["agreement", "period_start"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("A report is immutable: build a new one instead."))
        super().save(*args, **kwargs)

    def readable_by(self, user):
        """A report built with confidential sources may only be read by those allowed to see them."""
        return not self.include_confidential or user.has_perm(CONFIDENTIAL_PERMISSION)

    def content(self, fmt):
        """(bytes, content type, file name) of the report in format `fmt`."""
        subject = self.agreement.slug if self.agreement_id else "all-agreements"
        stem = f"{subject}-{self.period_start}-{self.period_end}"
        if fmt == ReportFormat.HTML:
            return self.html.encode(), "text/html; charset=utf-8", f"{stem}.html"
        if fmt == ReportFormat.CSV:
            return self.csv.encode(), "text/csv; charset=utf-8", f"{stem}.csv"
        if fmt == ReportFormat.PDF:
            from .pdf import to_pdf  # fpdf2 loads fonts: only when a PDF is wanted

            with translation.override(self.language):  # the language its data was written in
                body = bytes(self.pdf) or to_pdf(
                    self.data, timeline_png=self.timeline_png, map_png=self.map_png
                )
            return body, "application/pdf", f"{stem}.pdf"
        if fmt == ReportFormat.JSON:
            body = json.dumps(self.data, ensure_ascii=False, indent=2).encode()
            return body, "application/json", f"{stem}.json"
        raise ValueError(f"Unknown report format {fmt!r}.")


class ReportDelivery(models.Model):
    """Sending a report by email: claimed with compare-and-set so it goes out at most once."""

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, related_name="delivery", verbose_name=_("report")
    )
    recipients = models.TextField(_("recipients"), help_text=_("As they were when the report was built."))
    formats = ChoiceListField(_("formats"), choices_enum=ReportFormat)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.report}: {self.get_status_display()}"

    @property
    def recipient_list(self):
        return split_recipients(self.recipients)
