import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from agreements.models import Agreement, Area, Clause, Party
from core.fields import ChoiceListField
from tracker.choices import Confidence

from .choices import AlertEvent, Channel, DeliveryStatus
from .webhooks import UnsafeURL, check_url_allowed


def new_secret() -> str:
    return secrets.token_hex(32)


class AlertRule(models.Model):
    """Who is told about what: events, the records they concern, and how (email or a webhook)."""

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alert_rules",
        help_text="Alerts carry only what the owner may read; the owner is told when a delivery fails.",
    )
    active = models.BooleanField(default=True)
    events = ChoiceListField(choices_enum=AlertEvent, blank=False)
    min_confidence = models.CharField(
        max_length=10,
        choices=Confidence.choices,
        default=Confidence.LOW,
        help_text="Violation flagged: only violations of at least this confidence.",
    )
    due_within_days = models.PositiveSmallIntegerField(
        default=1, help_text="Deadline due soon: deadlines due within this many days."
    )
    agreements = models.ManyToManyField(Agreement, blank=True, related_name="+")
    clauses = models.ManyToManyField(Clause, blank=True, related_name="+")
    parties = models.ManyToManyField(
        Party, blank=True, related_name="+", help_text="Violations by these parties (the perpetrator)."
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="+", help_text="Violations of clauses applying in these areas."
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text="Email: these users."
    )
    emails = models.TextField(
        blank=True, help_text="Email: these addresses, one a line. They never receive confidential sources."
    )
    webhook_url = models.URLField(max_length=500, blank=True)
    secret = models.CharField(
        max_length=128, default=new_secret, help_text="Webhook: the key of the X-Tracker-Signature HMAC."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def email_list(self) -> list[str]:
        return [line.strip() for line in self.emails.splitlines() if line.strip()]

    def clean(self):
        if self.channel == Channel.WEBHOOK:
            if not self.webhook_url:
                raise ValidationError({"webhook_url": "A webhook rule needs a URL."})
            try:
                check_url_allowed(self.webhook_url, resolve=False)
            except UnsafeURL as exc:
                raise ValidationError({"webhook_url": str(exc)}) from exc


class Alert(models.Model):
    """The outbox: one thing that happened (or a batch of them, grouped by the transaction that
    decided them), written in that transaction. Deliveries are made from it after the commit."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=30)
    # What caused it, unique: a violation confirmed, a deadline missed... alerts once.
    key = models.CharField(max_length=200, unique=True)
    object_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} ({len(self.object_ids)}) at {self.created_at:%Y-%m-%d %H:%M:%S}"


class AlertDelivery(models.Model):
    """One alert (or digest) to one recipient of one rule, sent at most once (compare-and-set)."""

    event_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="The payload's event_id, for idempotency."
    )
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=500, help_text="An email address or the webhook URL.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_ids = models.JSONField(default=list, help_text="What of the alert this rule matched.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    give_up_at = models.DateTimeField(help_text="No retry after this moment: the delivery fails.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(fields=["alert", "rule", "recipient"], name="unique_alert_delivery")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.alert.event} to {self.recipient}: {self.get_status_display()}"
