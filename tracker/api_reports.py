"""Read-only API for stored reports: list, retrieve, download. Wired into /api/v1 by the router.

router.register("reports", ReportViewSet, basename="report")
"""

from django.http import HttpResponse
from django_filters import rest_framework as filters
from rest_framework import permissions, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied

from .reports.choices import ReportFormat
from .reports.models import Report


class ViewReportPermission(permissions.DjangoModelPermissions):
    """Reading reports needs tracker.view_report (DRF's default lets any authenticated user read)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


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

    def get_downloads(self, report):
        view = self.context.get("view")
        if view is None or not hasattr(view, "reverse_action"):
            return {}
        url = view.reverse_action("download", args=[report.pk])
        return {fmt: f"{url}?format={fmt}" for fmt in ReportFormat.values}


class ReportFilterSet(filters.FilterSet):
    agreement = filters.CharFilter(field_name="agreement__slug")
    period_start_after = filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = filters.DateFilter(field_name="period_start", lookup_expr="lte")

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


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Report.objects.select_related("agreement", "subscription", "delivery").defer(
        "html", "email_html", "csv", "timeline_png", "map_png"
    )
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    permission_classes = [ViewReportPermission]

    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONFileRenderer, HTMLFileRenderer, CSVFileRenderer, PDFFileRenderer],
    )
    def download(self, request, pk=None, format=None):
        """The stored report as a file: ?format=html, csv, json or pdf (default json)."""
        fmt = request.query_params.get("format") or format or ReportFormat.JSON
        if fmt not in ReportFormat.values:
            raise NotFound(f"Unknown format {fmt!r}: use html, csv, json or pdf.")
        report = Report.objects.get(pk=self.get_object().pk)
        if not report.readable_by(request.user):
            raise PermissionDenied("This report contains confidential sources.")
        body, content_type, filename = report.content(fmt)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
