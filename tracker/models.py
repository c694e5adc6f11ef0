from django.conf import settings
from django.db import models

from agreements.models import Clause
from core.fields import BoundedTextField
from incidents.models import Incident

from .choices import Confidence, JobKind, JobStatus, ViolationStatus


class Violation(models.Model):
    """The engine's finding that an incident breaches a clause, and an analyst's review of it."""

    # No separate FK indexes: the unique (incident, clause) and the (clause, status) indexes lead
    # with these columns, and each index less makes a scan's bulk insert cheaper.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="violations", db_index=False
    )
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="violations", db_index=False)
    confidence = models.CharField(max_length=10, choices=Confidence.choices)
    reasons = models.JSONField(default=list, blank=True, help_text="Why the engine gave this confidence.")
    status = models.CharField(max_length=10, choices=ViolationStatus.choices, default=ViolationStatus.FLAGGED)
    flagged_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = BoundedTextField(blank=True, max_length=5_000)

    class Meta:
        ordering = ["-flagged_at", "-id"]
        permissions = [("review_violation", "Can confirm or dismiss violations")]
        constraints = [models.UniqueConstraint(fields=["incident", "clause"], name="unique_violation")]
        indexes = [models.Index(fields=["clause", "status"])]

    def __str__(self):
        return f"{self.incident} breaches {self.clause}"


class JobRun(models.Model):
    """One run of an engine job: what it did, or why it failed."""

    kind = models.CharField(max_length=20, choices=JobKind.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # A full scan split into id ranges: each range is a run of its own (kind scan_chunk) whose
    # parent is the full scan, which succeeds once every one of its chunks has.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="chunks", editable=False
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None
