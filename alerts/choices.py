from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertEvent(models.TextChoices):
    """What a rule can be told about (the `event` of a webhook payload)."""

    VIOLATION_FLAGGED = "violation_flagged", _("Violation flagged")
    VIOLATION_CONFIRMED = "violation_confirmed", _("Violation confirmed")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    DEADLINE_DUE_SOON = "deadline_due_soon", _("Deadline due soon")
    IMPORT_ERRORS = "import_errors", _("Import finished with errors")


# Not a rule's choice: the "send a test" action's event.
TEST_EVENT = "test"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting (first attempt or a retry)")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")
