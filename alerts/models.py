import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Area, Clause, Party
from core.fields import ChoiceListField
from tracker.choices import Confidence

from .choices import AlertEvent, Channel, DeliveryStatus
from .webhooks import UnsafeURL, check_url_allowed


def new_secret() -> str:
    return secrets.token_hex(32)


class AlertRule(models.Model):
    """Who is told about what: events, the records they concern, and how (email or a webhook)."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alert_rules",
        verbose_name=_("owner"),
        help_text=_("Alerts carry only what the owner may read; the owner is told when a delivery fails."),
    )
    active = models.BooleanField(_("active"), default=True)
    events = ChoiceListField(_("events"), choices_enum=AlertEvent, blank=False)
    min_confidence = models.CharField(
        _("minimum confidence"),
        max_length=10,
        choices=Confidence.choices,
        default=Confidence.LOW,
        help_text=_("Violation flagged: only violations of at least this confidence."),
    )
    due_within_days = models.PositiveSmallIntegerField(
        _("due within (days)"),
        default=1,
        help_text=_("Deadline due soon: deadlines due within this many days."),
    )
    agreements = models.ManyToManyField(Agreement, blank=True, related_name="+", verbose_name=_("agreements"))
    clauses = models.ManyToManyField(Clause, blank=True, related_name="+", verbose_name=_("clauses"))
    parties = models.ManyToManyField(
        Party,
        blank=True,
        related_name="+",
        verbose_name=_("parties"),
        help_text=_("Violations by these parties (the perpetrator)."),
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="+",
        verbose_name=_("areas"),
        help_text=_("Violations of clauses applying in these areas."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("recipients"),
        help_text=_("Email: these users, each in their own language."),
    )
    emails = models.TextField(
        _("email addresses"),
        blank=True,
        help_text=_(
            "Email: these addresses, one a line, written to in the owner's language. They never receive "
            "confidential sources."
        ),
    )
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    secret = models.CharField(
        _("secret"),
        max_length=128,
        default=new_secret,
        help_text=_("Webhook: the key of the X-Tracker-Signature HMAC."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self):
        return self.name

    @property
    def email_list(self) -> list[str]:
        return [line.strip() for line in self.emails.splitlines() if line.strip()]

    def clean(self):
        if self.channel == Channel.WEBHOOK:
            if not self.webhook_url:
                raise ValidationError({"webhook_url": _("A webhook rule needs a URL.")})
            try:
                check_url_allowed(self.webhook_url, resolve=False)
            except UnsafeURL as exc:
                raise ValidationError({"webhook_url": str(exc)}) from exc


class Alert(models.Model):
    """The outbox: one thing that happened (or a batch of them, grouped by the transaction that
    decided them), written in that transaction. Deliveries are made from it after the commit."""

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=30)
    # What caused it, unique: a violation confirmed, a deadline missed... alerts once.
    key = models.CharField(_("key"), max_length=200, unique=True)
    object_ids = models.JSONField(_("object ids"), default=list)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self):
        return f"{self.event} ({len(self.object_ids)}) at {self.created_at:%Y-%m-%d %H:%M:%S}"


class AlertDelivery(models.Model):
    """One alert (or digest) to one recipient of one rule, sent at most once (compare-and-set)."""

    event_id = models.UUIDField(
        _("event id"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("The payload's event_id, for idempotency."),
    )
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("alert")
    )
    rule = models.ForeignKey(
        AlertRule, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("rule")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(
        _("recipient"), max_length=500, help_text=_("An email address or the webhook URL.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    object_ids = models.JSONField(
        _("object ids"), default=list, help_text=_("What of the alert this rule matched.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    give_up_at = models.DateTimeField(
        _("give up at"), help_text=_("No retry after this moment: the delivery fails.")
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(fields=["alert", "rule", "recipient"], name="unique_alert_delivery")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.alert.event} to {self.recipient}: {self.get_status_display()}"
