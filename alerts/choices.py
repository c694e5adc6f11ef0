from django.db import models


class AlertEvent(models.TextChoices):
    """What a rule can be told about (the `event` of a webhook payload)."""

    VIOLATION_FLAGGED = "violation_flagged", "Violation flagged"
    VIOLATION_CONFIRMED = "violation_confirmed", "Violation confirmed"
    DEADLINE_MISSED = "deadline_missed", "Deadline missed"
    DEADLINE_DUE_SOON = "deadline_due_soon", "Deadline due soon"
    IMPORT_ERRORS = "import_errors", "Import finished with errors"


# Not a rule's choice: the "send a test" action's event.
TEST_EVENT = "test"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting (first attempt or a retry)"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"
