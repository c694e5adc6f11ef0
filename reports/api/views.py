"""Read-only API for stored reports: list, retrieve, download."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import renderers, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied

from core.api.viewsets import TrackerReadOnlyModelViewSet

from ..choices import ReportFormat
from ..models import Report


class ReportSerializer(serializers.ModelSerializer):
    agreement = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    subscription = serializers.StringRelatedField()
    delivery_status = serializers.CharField(source="delivery.status", read_only=True, default=None)
    totals = serializers.JSONField(source="data.totals", read_only=True)
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "title",
            "agreement",
            "subscription",
            "frequency",
            "language",
            "period_start",
            "period_end",
            "timezone",
            "include_confidential",
            "generated_at",
            "delivery_status",
            "totals",
            "downloads",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "string", "format": "uri"},
            "description": "Download URL of each format.",
        }
    )
    def get_downloads(self, report):
        view = self.context.get("view")
        if view is None or not hasattr(view, "reverse_action"):
            return {}
        url = view.reverse_action("download", args=[report.pk])
        return {fmt: f"{url}?format={fmt}" for fmt in ReportFormat.values}


class ReportFilterSet(filters.FilterSet):
    agreement = filters.CharFilter(field_name="agreement__slug", help_text="Agreement slug, e.g. sochi-2018.")
    subscription = filters.NumberFilter(field_name="subscription_id", help_text="Subscription id.")
    frequency = filters.ChoiceFilter(
        choices=Report._meta.get_field("frequency").choices, help_text="daily, weekly or monthly."
    )
    period_start_after = filters.DateFilter(
        field_name="period_start", lookup_expr="gte", help_text="Periods starting on or after this date."
    )
    period_start_before = filters.DateFilter(
        field_name="period_start", lookup_expr="lte", help_text="Periods starting on or before this date."
    )

    class Meta:
        model = Report
        fields = ["agreement", "subscription", "frequency"]


class _FileRenderer(renderers.BaseRenderer):
    """Lets DRF's ?format= negotiation accept the download formats; the view returns the bytes."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


class HTMLFileRenderer(_FileRenderer):
    media_type, format = "text/html", "html"


class CSVFileRenderer(_FileRenderer):
    media_type, format = "text/csv", "csv"


class JSONFileRenderer(_FileRenderer):
    media_type, format = "application/json", "json"


class PDFFileRenderer(_FileRenderer):
    media_type, format, charset = "application/pdf", "pdf", None


class ReportViewSet(TrackerReadOnlyModelViewSet):
    """Stored reports (needs `reports.view_report`); never in the public read mode."""

    public_readable = False
    queryset = Report.objects.select_related("agreement", "subscription", "delivery").defer(
        "html", "email_html", "csv", "timeline_png", "map_png"
    )
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    ordering_fields = ["period_start", "generated_at", "id"]
    ordering = ["-generated_at"]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, enum=list(ReportFormat.values), description="File format (default json)."
            )
        ],
        responses={
            (200, "text/html"): OpenApiTypes.STR,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
        description="The stored report as a file. 403 if it contains confidential sources the user may not see.",
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONFileRenderer, HTMLFileRenderer, CSVFileRenderer, PDFFileRenderer],
        filter_backends=[],
    )
    def download(self, request, pk=None, format=None):
        """The stored report as a file: ?format=html, csv, json or pdf (default json)."""
        fmt = request.query_params.get("format") or format or ReportFormat.JSON
        if fmt not in ReportFormat.values:
            raise NotFound(_("Unknown format %(format)r: use html, csv, json or pdf.") % {"format": fmt})
        report = Report.objects.get(pk=self.get_object().pk)
        if not report.readable_by(request.user):
            raise PermissionDenied(_("This report contains confidential sources."))
        body, content_type, filename = report.content(fmt)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
