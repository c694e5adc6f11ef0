"""Admin for ImportJob: upload a file, watch the worker import it, download the error report."""

from functools import partial

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .dispatch import send_import
from .models import ImportJob
from .services import may_create_parties

REFRESH_SECONDS = 2
SHOWN_ERRORS = 20


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    change_form_template = "admin/imports/importjob/change_form.html"
    list_display = (
        "created_at",
        "file_name",
        "format",
        "status",
        "progress",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "created_by",
    )
    list_filter = ("status", "format")
    date_hierarchy = "created_at"
    add_fields = ("file", "format", "on_error", "dry_run", "create_parties")
    readonly_fields = (
        "file_name",
        "format",
        "on_error",
        "dry_run",
        "create_parties",
        "status",
        "progress",
        "rows_read",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "summary_text",
        "message",
        "error_sample",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.readonly_fields
        # An import does only what its user may do: creating parties is offered to those who may.
        return tuple(f for f in self.add_fields if f != "create_parties" or may_create_parties(request.user))

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a job is a record of what happened; upload a new file to import again

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        obj.bytes_total = obj.file.size
        super().save_model(request, obj, form, change)
        transaction.on_commit(partial(send_import, obj.pk))

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["refresh_seconds"] = REFRESH_SECONDS if obj is not None and not obj.is_finished else None
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def response_add(self, request, obj, post_url_continue=None):
        # Go to the job's page, where the progress shows, not back to the list.
        self.message_user(
            request,
            _("%(file)s is queued for import; this page follows its progress.") % {"file": obj.file_name},
        )
        return HttpResponseRedirect(reverse("admin:imports_importjob_change", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<int:pk>/errors.csv",
                self.admin_site.admin_view(self.error_report_view),
                name="imports_importjob_errors",
            ),
            *super().get_urls(),
        ]

    def error_report_view(self, request, pk):
        job = get_object_or_404(ImportJob, pk=pk)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        if not job.error_report:
            raise Http404(_("This import rejected no rows."))
        return FileResponse(
            job.error_report.open("rb"),
            as_attachment=True,
            filename=f"import-{job.pk}-errors.csv",
            content_type="text/csv",
        )

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.status == ImportJob.Status.RUNNING and obj.bytes_total and obj.bytes_read >= obj.bytes_total:
            label = _("writing to the database")
        else:
            label = _("%(percent)s %%") % {"percent": obj.percent}
        return format_html('<progress max="100" value="{}"></progress> {}', obj.percent, label)

    @admin.display(description=_("summary"))
    def summary_text(self, obj):
        if not obj.summary:
            return "-"
        # The summary names the actor triage page by its path: make it a link.
        triage = reverse("admin:incidents_actordecision_triage")
        text = escape(obj.summary).replace(triage, f'<a href="{triage}">{triage}</a>')
        return format_html("<pre>{}</pre>", mark_safe(text))

    @admin.display(description=_("error report (line, column, reason)"))
    def error_sample(self, obj):
        if not obj.error_report:
            return "-"
        url = reverse("admin:imports_importjob_errors", args=[obj.pk])
        with obj.error_report.open("rb") as report:
            lines = [report.readline().decode("utf-8", "replace") for _line in range(SHOWN_ERRORS + 1)]
        shown = "".join(lines)
        return format_html(
            '<a href="{}" class="button">{}</a><pre>{}</pre>',
            url,
            _("Download the error report (CSV, %(rows)s rows)") % {"rows": obj.rejected},
            shown,
        )
