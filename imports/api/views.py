"""Imports through the API: what the admin's upload page does (see incidents/admin_import.py).

POST a CSV file (multipart) with its format and options; a worker imports it (the same import
as `manage.py import_incidents`), and the job's record shows its progress, its counts and, when
rows were rejected, a CSV error report (line, column, reason).
"""

from functools import partial

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.reverse import reverse

from core.api.filters import FilterSet
from core.api.schema import ERROR_SCHEMA
from core.api.viewsets import TrackerViewSetMixin

from ..dispatch import send_import
from ..models import ImportJob
from ..services import may_create_parties

MAX_UPLOAD_BYTES = 2 * 1024**3


class ImportJobSerializer(serializers.ModelSerializer):
    file = serializers.FileField(
        write_only=True,
        allow_empty_file=False,
        help_text="The CSV file (UTF-8), sent as multipart/form-data.",
    )
    file_name = serializers.CharField(read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="Share of the file read so far.")
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )
    error_report = serializers.SerializerMethodField(
        help_text="URL of the CSV of rejected rows (line, column, reason), when there are any."
    )

    def validate_create_parties(self, value):
        request = self.context.get("request")
        if value and not may_create_parties(getattr(request, "user", None)):
            raise serializers.ValidationError(
                _(
                    "Creating parties needs the permission to add parties; import without it and map "
                    "the unknown actors to parties afterwards."
                )
            )
        return value

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "file",
            "file_name",
            "format",
            "on_error",
            "dry_run",
            "create_parties",
            "status",
            "percent",
            "rows_read",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "summary",
            "message",
            "error_report",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = [
            "status",
            "rows_read",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "summary",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_error_report(self, job) -> str | None:
        if not job.error_report:
            return None
        return reverse("api:import-errors", args=[job.pk], request=self.context.get("request"))

    def validate_file(self, upload):
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(size)d GB.") % {"size": MAX_UPLOAD_BYTES // 1024**3}
            )
        return upload


class ImportJobFilterSet(FilterSet):
    class Meta:
        model = ImportJob
        fields = ["status", "format"]


class ImportJobViewSet(
    TrackerViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Incident imports: upload a file, follow the worker's progress, get the rejected rows."""

    queryset = ImportJob.objects.select_related("created_by")
    serializer_class = ImportJobSerializer
    filterset_class = ImportJobFilterSet
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at"]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    public_readable = False
    action_permissions = {"errors": ["imports.view_importjob"]}

    def perform_create(self, serializer):
        upload = serializer.validated_data["file"]
        with transaction.atomic():
            job = serializer.save(created_by=self.request.user, bytes_total=upload.size)
            transaction.on_commit(partial(send_import, job.pk))

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            404: OpenApiResponse(ERROR_SCHEMA, description="No such import, or it rejected no rows."),
        },
        description="The rejected rows as CSV: line, column, reason.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def errors(self, request, pk=None):
        job = self.get_object()
        if not job.error_report:
            raise NotFound(_("This import rejected no rows."))
        return FileResponse(
            job.error_report.open("rb"),
            as_attachment=True,
            filename=f"import-{job.pk}-errors.csv",
            content_type="text/csv",
        )
