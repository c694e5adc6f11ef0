from django.conf import settings
from django.db import models


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
        max_length=500,
        blank=True,
        help_text="The file's path, for an import run with the import_incidents command.",
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
    queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the job was handed to the workers (empty while the broker was down).",
    )
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
