from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One import of a file: uploaded in the admin and run by a worker, or run with the
    import_incidents command. Imports write no per-row history: this record (file, who, when,
    options, counts, error report) is their history."""

    class Format(models.TextChoices):
        ACLED = "acled", _("ACLED CSV")
        UCDP = "ucdp", _("UCDP GED CSV")
        TRACKER = "tracker", _("Tracker CSV (our export)")

    class OnError(models.TextChoices):
        SKIP = "skip", _("Skip bad rows, import the rest")
        ABORT = "abort", _("Import nothing if any row is bad")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        ABORTED = "aborted", _("Aborted (bad rows, nothing imported)")
        FAILED = "failed", _("Failed")

    file = models.FileField(
        upload_to="imports/%Y/%m/", blank=True, help_text=_("A CSV file, UTF-8."), verbose_name=_("file")
    )
    source_path = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("The file's path, for an import run with the import_incidents command."),
        verbose_name=_("source path"),
    )
    format = models.CharField(max_length=10, choices=Format.choices, verbose_name=_("format"))
    on_error = models.CharField(
        max_length=5, choices=OnError.choices, default=OnError.SKIP, verbose_name=_("on error")
    )
    dry_run = models.BooleanField(
        default=False, help_text=_("Check the file and count, but write nothing."), verbose_name=_("dry run")
    )
    create_parties = models.BooleanField(
        default=False,
        help_text=_("Create a party for each actor that matches no party name or alias."),
        verbose_name=_("create parties"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True, verbose_name=_("status")
    )
    rows_read = models.PositiveIntegerField(default=0, verbose_name=_("rows read"))
    bytes_read = models.PositiveBigIntegerField(default=0, verbose_name=_("bytes read"))
    bytes_total = models.PositiveBigIntegerField(default=0, verbose_name=_("bytes total"))
    created = models.PositiveIntegerField(default=0, verbose_name=_("created"))
    updated = models.PositiveIntegerField(default=0, verbose_name=_("updated"))
    unchanged = models.PositiveIntegerField(default=0, verbose_name=_("unchanged"))
    rejected = models.PositiveIntegerField(default=0, verbose_name=_("rejected"))
    summary = models.TextField(blank=True, verbose_name=_("summary"))
    message = models.TextField(
        blank=True, help_text=_("Why the import failed, if it did."), verbose_name=_("message")
    )
    error_report = models.FileField(
        upload_to="imports/errors/%Y/%m/", blank=True, verbose_name=_("error report")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the job was handed to the workers (empty while the broker was down)."),
        verbose_name=_("queued at"),
    )
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident import")
        verbose_name_plural = _("incident imports")

    def __str__(self):
        return _("%(format)s import of %(file)s (%(status)s)") % {
            "format": self.get_format_display(),
            "file": self.file_name,
            "status": self.get_status_display().lower(),
        }

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
