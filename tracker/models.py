from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.models import Clause
from core.fields import BoundedTextField
from incidents.models import Incident

from .choices import Confidence, JobKind, JobStatus, ViolationStatus


class Violation(models.Model):
    """The engine's finding that an incident breaches a clause, and an analyst's review of it."""

    # No separate FK indexes: the unique (incident, clause) and the (clause, status) indexes lead
    # with these columns, and each index less makes a scan's bulk insert cheaper.
    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="violations",
        db_index=False,
        verbose_name=_("incident"),
    )
    clause = models.ForeignKey(
        Clause, on_delete=models.CASCADE, related_name="violations", db_index=False, verbose_name=_("clause")
    )
    confidence = models.CharField(max_length=10, choices=Confidence.choices, verbose_name=_("confidence"))
    reasons = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Why the engine gave this confidence."),
        verbose_name=_("reasons"),
    )
    status = models.CharField(
        max_length=10,
        choices=ViolationStatus.choices,
        default=ViolationStatus.FLAGGED,
        verbose_name=_("status"),
    )
    flagged_at = models.DateTimeField(db_index=True, verbose_name=_("flagged at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    # Indexed only where set (see Meta.indexes): a scan inserts every violation unreviewed.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = BoundedTextField(blank=True, max_length=5_000, verbose_name=_("review note"))

    class Meta:
        ordering = ["-flagged_at", "-id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        permissions = [("review_violation", "Can confirm or dismiss violations")]
        constraints = [models.UniqueConstraint(fields=["incident", "clause"], name="unique_violation")]
        indexes = [
            models.Index(fields=["clause", "status"]),
            # A full index would take one entry per inserted violation, all NULL, in the same
            # last leaf pages that every chunk of a first scan writes at once; deleting a user
            # (SET_NULL) only looks up reviewed ones.
            models.Index(
                fields=["reviewed_by"],
                condition=models.Q(reviewed_by__isnull=False),
                name="tracker_violation_reviewer",
            ),
        ]

    @property
    def display_reasons(self) -> list[str]:
        """The reasons in the reader's language (stored in English: tracker.rules)."""
        return [gettext(reason) for reason in self.reasons or []]

    def __str__(self):
        return _("%(incident)s breaches %(clause)s") % {"incident": self.incident, "clause": self.clause}


class JobRun(models.Model):
    """One run of an engine job: what it did, or why it failed."""

    kind = models.CharField(max_length=20, choices=JobKind.choices, verbose_name=_("kind"))
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING, verbose_name=_("status")
    )
    started_at = models.DateTimeField(db_index=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    parameters = models.JSONField(default=dict, blank=True, verbose_name=_("parameters"))
    counts = models.JSONField(default=dict, blank=True, verbose_name=_("counts"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    # A full scan split into id ranges: each range is a run of its own (kind scan_chunk) whose
    # parent is the full scan, which succeeds once every one of its chunks has.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chunks",
        editable=False,
        verbose_name=_("part of"),
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self):
        return _("%(kind)s at %(time)s") % {
            "kind": self.get_kind_display(),
            "time": f"{self.started_at:%Y-%m-%d %H:%M:%S}",
        }

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None
