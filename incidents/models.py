from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agreements.fields import ChoiceListField
from agreements.models import Clause, Party

from .choices import (
    DatePrecision,
    IncidentCategory,
    IncidentStatus,
    LocationPrecision,
    SourceReliability,
    TargetType,
    Weapon,
)


class Incident(models.Model):
    occurred_at = models.DateTimeField(
        "when", db_index=True, help_text="Start of the incident (or of the window it happened in)."
    )
    date_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    occurred_until = models.DateTimeField(
        "until", null=True, blank=True, help_text="End of the window, when the exact time is not known."
    )
    place_name = models.CharField("place", max_length=200, blank=True)
    admin1 = models.CharField("governorate (admin1)", max_length=100, blank=True)
    admin2 = models.CharField("district (admin2)", max_length=100, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    location_precision = models.CharField(
        max_length=12, choices=LocationPrecision.choices, default=LocationPrecision.EXACT
    )
    category = models.CharField(max_length=30, choices=IncidentCategory.choices)
    perpetrator = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents",
        help_text="Leave empty if unknown.",
    )
    target_type = models.CharField(max_length=20, choices=TargetType.choices, blank=True)
    weapons = ChoiceListField(choices_enum=Weapon)
    killed_civilians = models.PositiveIntegerField(default=0)
    killed_combatants = models.PositiveIntegerField(default=0)
    killed_unknown = models.PositiveIntegerField(default=0)
    injured_civilians = models.PositiveIntegerField(default=0)
    injured_combatants = models.PositiveIntegerField(default=0)
    injured_unknown = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT)
    source_dataset = models.CharField(
        max_length=30, blank=True, help_text="Dataset this incident was imported from (acled, ucdp...)."
    )
    external_id = models.CharField(max_length=100, blank=True, help_text="Its id in that dataset.")
    clauses = models.ManyToManyField(
        Clause, through="ClauseLink", related_name="logged_incidents", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        editable=False, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        permissions = [("verify_incident", "Can verify, dispute or reject incidents")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_dataset", "external_id"],
                condition=~Q(external_id=""),
                name="unique_incident_external_id",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_lat_lon_together",
            ),
        ]
        indexes = [
            # Covers the common list filter (categories, a time range, a bounding box) without
            # reading the table: the page's ids come from the index alone.
            models.Index(
                fields=["category", "occurred_at"],
                include=["latitude", "longitude", "id"],
                name="incident_category_time",
            )
        ]

    def __str__(self):
        place = self.place_name or self.admin2 or self.admin1 or "unknown place"
        return f"{self.get_category_display()} at {place}, {timezone.localtime(self.occurred_at):%d %b %Y}"

    def clean(self):
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = (
                "Give both latitude and longitude, or neither."
            )
        if self.occurred_until and self.occurred_at and self.occurred_until < self.occurred_at:
            errors["occurred_until"] = "The end of the window must come after its start."
        if self.external_id and not self.source_dataset:
            errors["source_dataset"] = "Say which dataset the external id comes from."
        if errors:
            raise ValidationError(errors)

    def touch(self, reason):
        """Save the incident after a change to a row that belongs to it (a clause link), as the
        admin's change form does: updated_at moves (clients syncing with `updated_since` see it),
        the history records `reason`, and post_save schedules the engine's re-evaluation."""
        self._change_reason = reason
        self.save(update_fields=["updated_at"])

    @property
    def killed(self):
        return self.killed_civilians + self.killed_combatants + self.killed_unknown

    @property
    def injured(self):
        return self.injured_civilians + self.injured_combatants + self.injured_unknown


class SourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Confidential sources only for users allowed to see them."""
        if user is not None and user.has_perm("incidents.view_confidential_source"):
            return self
        return self.filter(confidential=False)


class Source(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=300, help_text="Outlet, organisation or (if confidential) witness.")
    url = models.URLField(max_length=1000, blank=True)
    published_on = models.DateField(null=True, blank=True)
    reliability = models.CharField(max_length=1, choices=SourceReliability.choices, default=SourceReliability.F)
    confidential = models.BooleanField(
        default=False,
        help_text="Confidential sources (e.g. a witness) are shown only to staff with the permission.",
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["published_on", "id"]
        permissions = [("view_confidential_source", "Can see confidential sources")]

    def __str__(self):
        return self.name


class ClauseLink(models.Model):
    """An incident logged against a clause by a person (the engine's findings live in tracker)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="clause_links")
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="incident_links")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "clause logged by staff"
        verbose_name_plural = "clauses logged by staff"
        constraints = [models.UniqueConstraint(fields=["incident", "clause"], name="unique_clause_link")]

    def __str__(self):
        return f"{self.incident} → {self.clause}"


class ImportJob(models.Model):
    """One import of a file: uploaded in the admin and run by a worker, or run with the
    import_incidents command. Imports write no per-row history: this record (file, who, when,
    options, counts, error report) is their history."""

    class Format(models.TextChoices):
        ACLED = "acled", "ACLED CSV"
        UCDP = "ucdp", "UCDP GED CSV"
        TRACKER = "tracker", "Tracker CSV (our export)"

    class OnError(models.TextChoices):
        SKIP = "skip", "Skip bad rows, import the rest"
        ABORT = "abort", "Import nothing if any row is bad"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        ABORTED = "aborted", "Aborted (bad rows, nothing imported)"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="imports/%Y/%m/", blank=True, help_text="A CSV file, UTF-8.")
    source_path = models.CharField(
        max_length=500, blank=True, help_text="The file's path, for an import run with the import_incidents command."
    )
    format = models.CharField(max_length=10, choices=Format.choices)
    on_error = models.CharField(max_length=5, choices=OnError.choices, default=OnError.SKIP)
    dry_run = models.BooleanField(default=False, help_text="Check the file and count, but write nothing.")
    create_parties = models.BooleanField(
        default=False, help_text="Create a party for each actor that matches no party name or alias."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    rows_read = models.PositiveIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    message = models.TextField(blank=True, help_text="Why the import failed, if it did.")
    error_report = models.FileField(upload_to="imports/errors/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "incident import"

    def __str__(self):
        return f"{self.get_format_display()} import of {self.file_name} ({self.get_status_display().lower()})"

    @property
    def file_name(self):
        return (self.file.name or self.source_path).rsplit("/", 1)[-1]

    @property
    def percent(self):
        if self.status in (self.Status.DONE, self.Status.ABORTED):
            return 100
        return int(100 * self.bytes_read / self.bytes_total) if self.bytes_total else 0

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.ABORTED, self.Status.FAILED)
