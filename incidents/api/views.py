from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, TextField, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.export import ExportMixin
from core.api.exportsql import JoinedSubquery, PythonJSONObject, SafeText
from core.api.history import (
    HistoryViewSetMixin,
    SourceHistoryRecordSerializer,
    history_action,
    history_page,
)
from core.api.renderers import CSVRenderer, GeoJSONRenderer, point_feature
from core.api.schema import ERROR_SCHEMA
from core.api.viewsets import TrackerModelViewSet

from ..choices import IncidentStatus
from ..csv import INCIDENT_CSV_COLUMNS, SOURCE_JSON_FIELDS, incident_csv_row
from ..filtersets import ClauseLinkFilterSet, IncidentFilterSet
from ..models import (
    ClauseLink,
    Incident,
    Source,
    ever_confidential_source_ids,
    may_see_confidential,
    visible_sources,
)
from .serializers import ClauseLinkSerializer, IncidentSerializer


class IncidentViewSet(ExportMixin, HistoryViewSetMixin, TrackerModelViewSet):
    # Names of related rows as annotations: one join, no model instances per row.
    queryset = Incident.objects.annotate(
        perpetrator_name_value=F("perpetrator__name"), created_by_username=F("created_by__username")
    )
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    ordering_fields = ["occurred_at", "updated_at", "created_at", "id"]
    ordering = ["-occurred_at"]
    renderer_classes = [*TrackerModelViewSet.renderer_classes, GeoJSONRenderer, CSVRenderer]
    csv_columns = INCIDENT_CSV_COLUMNS
    sql_json = True
    action_permissions = {"source_history": ["incidents.view_incident", "incidents.view_source"]}

    def sql_json_variant(self):
        user = getattr(self.request, "user", None)
        return "all" if may_see_confidential(user) else "public"

    def sql_json_nested(self):
        user = getattr(self.request, "user", None)
        return {"sources": Source.objects.visible_to(user).filter(incident=OuterRef("pk"))}

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("history", "source_history") or self.selecting_rows:
            return queryset
        return queryset.prefetch_related(visible_sources(getattr(self.request, "user", None)))

    def public_queryset(self, queryset):
        return queryset.filter(status=IncidentStatus.VERIFIED)

    def csv_row(self, item):
        return incident_csv_row(item)

    export_geojson_point = ("latitude", "longitude")

    def export_csv_sql(self):
        """incident_csv_row's two columns in SQL, for the export on PostgreSQL."""
        sources = self.sql_json_nested()["sources"]
        return {
            "sources": JoinedSubquery(
                sources.filter(confidential=False),
                Coalesce(SafeText(F("name")), Value(""), output_field=TextField()),
                ";",
            ),
            "sources_json": JoinedSubquery(
                sources, PythonJSONObject(**{name: F(name) for name in SOURCE_JSON_FIELDS}), ", ", "[", "]"
            ),
        }

    @extend_schema(
        responses={200: SourceHistoryRecordSerializer(many=True)},
        description="The change history of the incident's sources (deleted ones included), newest "
        "first, like the admin's history page of a source. Needs `incidents.view_source`. Without "
        "`incidents.view_confidential_source`, no record of a source that is or ever was "
        "confidential is shown.",
    )
    @history_action(url_path="source-history")
    def source_history(self, request, pk=None):
        incident = self.get_object()
        records = Source.history.filter(incident_id=incident.pk)
        if not may_see_confidential(request.user):
            # Every record of such a source, not only its confidential ones: the earlier records
            # of a witness, or those of a source made public later, would name the witness.
            # Its current row too, in case a bulk write left no record of the change.
            records = records.exclude(id__in=ever_confidential_source_ids()).exclude(
                id__in=Source.objects.filter(confidential=True).values("id")
            )
        return history_page(self, records, SourceHistoryRecordSerializer)

    def geojson_feature(self, item):
        return point_feature(item), {k: v for k, v in item.items() if k != "id"}

    @extend_schema(
        request=IncidentSerializer(many=True),
        responses={
            201: IncidentSerializer(many=True),
            400: OpenApiResponse(
                ERROR_SCHEMA,
                description=(
                    "Nothing was created. `errors` maps the index of each invalid item (as a string) to its "
                    'field errors, e.g. {"errors": {"2": {"category": ["..."]}}}; or `detail` when '
                    "the body is not a list."
                ),
            ),
        },
        description="Create several incidents in one transaction: all or nothing. At most "
        f"{settings.TRACKER_API_BULK_MAX} per request. Each is saved like a single create, so the "
        "compliance engine re-evaluates every one.",
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def bulk(self, request):
        items = request.data
        if not isinstance(items, list) or not items:
            raise ValidationError({"detail": _("Expected a non-empty JSON list of incidents.")})
        if len(items) > settings.TRACKER_API_BULK_MAX:
            raise ValidationError(
                {
                    "detail": _("At most %(max)d incidents per request.")
                    % {"max": settings.TRACKER_API_BULK_MAX}
                }
            )
        serializers = [self.get_serializer(data=item) for item in items]
        errors = {str(i): s.errors for i, s in enumerate(serializers) if not s.is_valid()}
        first_with_key = {}
        for i, s in enumerate(serializers):
            if str(i) in errors:
                continue
            key = (s.validated_data.get("source_dataset", ""), s.validated_data.get("external_id", ""))
            if key[1] and key in first_with_key:
                errors[str(i)] = {
                    "external_id": [
                        _("Same dataset and external id as item %(item)s.") % {"item": first_with_key[key]}
                    ]
                }
            first_with_key.setdefault(key, i)
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        with transaction.atomic():
            for s in serializers:
                s.save()
        return Response([s.data for s in serializers], status=status.HTTP_201_CREATED)


class ClauseLinkViewSet(TrackerModelViewSet):
    """Incidents logged against clauses by staff (the incident's inline in the admin).

    Adding, changing or removing a link saves its incident, as the admin's change form does:
    the incident's `updated_at` moves, its history says why, and the engine re-evaluates it.
    Never public: a link is staff's own assessment, whatever the incident's status.
    """

    queryset = ClauseLink.objects.annotate(
        agreement_id_value=F("clause__agreement_id"), created_by_username=F("created_by__username")
    )
    serializer_class = ClauseLinkSerializer
    filterset_class = ClauseLinkFilterSet
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at"]
    public_readable = False

    def perform_create(self, serializer):
        with transaction.atomic():
            link = serializer.save()
            link.incident.touch(f"Logged against clause {link.clause_id}")

    def perform_update(self, serializer):
        before = serializer.instance.incident
        with transaction.atomic():
            link = serializer.save()
            if before.pk != link.incident_id:
                before.touch(f"Link to clause {link.clause_id} moved to incident {link.incident_id}")
            link.incident.touch(f"Link to clause {link.clause_id} changed")

    def perform_destroy(self, instance):
        with transaction.atomic():
            incident, clause_id = instance.incident, instance.clause_id
            instance.delete()
            incident.touch(f"No longer logged against clause {clause_id}")
