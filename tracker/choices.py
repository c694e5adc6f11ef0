from django.db import models


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ViolationStatus(models.TextChoices):
    FLAGGED = "flagged", "Flagged by the engine"
    CONFIRMED = "confirmed", "Confirmed by an analyst"
    DISMISSED = "dismissed", "Dismissed by an analyst"
    WITHDRAWN = "withdrawn", "Withdrawn (no longer matches)"


class JobKind(models.TextChoices):
    SCAN_FULL = "scan_full", "Full violation scan"
    SCAN_INCREMENTAL = "scan_incremental", "Incremental violation scan"
    SCAN_SELECTED = "scan_selected", "Re-evaluation of edited records"
    SCAN_CHUNK = "scan_chunk", "One id range of a full violation scan"
    CHECK_DEADLINES = "check_deadlines", "Deadline check"


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
