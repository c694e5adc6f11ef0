from django.db import models
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ViolationStatus(models.TextChoices):
    FLAGGED = "flagged", _("Flagged by the engine")
    CONFIRMED = "confirmed", _("Confirmed by an analyst")
    DISMISSED = "dismissed", _("Dismissed by an analyst")
    WITHDRAWN = "withdrawn", _("Withdrawn (no longer matches)")


class JobKind(models.TextChoices):
    SCAN_FULL = "scan_full", _("Full violation scan")
    SCAN_INCREMENTAL = "scan_incremental", _("Incremental violation scan")
    SCAN_SELECTED = "scan_selected", _("Re-evaluation of edited records")
    SCAN_CHUNK = "scan_chunk", _("One id range of a full violation scan")
    CHECK_DEADLINES = "check_deadlines", _("Deadline check")


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
