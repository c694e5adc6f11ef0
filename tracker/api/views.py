from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from agreements.api.serializers import MarkMetSerializer
from agreements.api.views import DeadlineViewSet as BaseDeadlineViewSet
from config.api.exceptions import Conflict
from config.api.renderers import CSVRenderer, GeoJSONRenderer
from config.api.viewsets import TrackerReadOnlyModelViewSet
from incidents.api.views import point_feature
from incidents.choices import IncidentStatus

from ..choices import ViolationStatus
from ..filtersets import ViolationFilterSet
from ..models import Violation
from ..services import ReviewConflict, mark_deadline_met, review_violation
from .csv import VIOLATION_CSV_COLUMNS
from .serializers import ReviewSerializer, ViolationSerializer

REVIEW_PERMS = ["tracker.view_violation", "tracker.review_violation"]


class ViolationViewSet(TrackerReadOnlyModelViewSet):
    """The engine's findings. Read-only, except an analyst's review (confirm, dismiss)."""

    # Names of related rows as annotations: joins, but no model instances beyond the incident.
    queryset = Violation.objects.select_related("incident").annotate(
        perpetrator_name_value=F("incident__perpetrator__name"),
        agreement_id_value=F("clause__agreement_id"),
        agreement_slug_value=F("clause__agreement__slug"),
        clause_number_value=F("clause__number"),
        reviewed_by_username=F("reviewed_by__username"),
    )
    serializer_class = ViolationSerializer
    filterset_class = ViolationFilterSet
    ordering_fields = ["flagged_at", "updated_at", "id"]
    ordering = ["-flagged_at"]
    renderer_classes = [*TrackerReadOnlyModelViewSet.renderer_classes, GeoJSONRenderer, CSVRenderer]
    csv_columns = VIOLATION_CSV_COLUMNS
    sql_json = True
    sql_json_fields = {
        # Incident.killed and .injured are properties: their sums, in SQL.
        "killed": F("incident__killed_civilians") + F("incident__killed_combatants")
        + F("incident__killed_unknown"),
        "injured": F("incident__injured_civilians") + F("incident__injured_combatants")
        + F("incident__injured_unknown"),
    }
    action_permissions = {"confirm": REVIEW_PERMS, "dismiss": REVIEW_PERMS}

    def public_queryset(self, queryset):
        return queryset.filter(status=ViolationStatus.CONFIRMED, incident__status=IncidentStatus.VERIFIED)

    def geojson_feature(self, item):
        return point_feature(item), {k: v for k, v in item.items() if k != "id"}

    def _review(self, request, status):
        violation = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            violation = review_violation(
                violation.pk, status=status, user=request.user, note=body.validated_data.get("note", "")
            )
        except ReviewConflict as exc:
            raise Conflict(str(exc))
        return Response(self.get_serializer(self.get_queryset().get(pk=violation.pk)).data)

    @extend_schema(
        request=ReviewSerializer,
        responses={200: ViolationSerializer},
        description="Confirm the violation (needs `tracker.review_violation`). 409 if withdrawn.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        return self._review(request, ViolationStatus.CONFIRMED)

    @extend_schema(
        request=ReviewSerializer,
        responses={200: ViolationSerializer},
        description="Dismiss the violation (needs `tracker.review_violation`); the engine never "
        "flags a dismissed one again. 409 if withdrawn.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def dismiss(self, request, pk=None):
        return self._review(request, ViolationStatus.DISMISSED)


class DeadlineViewSet(BaseDeadlineViewSet):
    action_permissions = {"mark_met": ["agreements.view_deadline", "agreements.change_deadline"]}

    @extend_schema(
        request=MarkMetSerializer,
        responses={200: BaseDeadlineViewSet.serializer_class},
        description="Record that the deadline was met (a pending, extended or missed one; not a waived one). "
        "Needs `agreements.change_deadline`. 409 if the deadline cannot be marked met.",
    )
    @action(detail=True, methods=["post"], url_path="mark-met", filter_backends=[])
    def mark_met(self, request, pk=None):
        deadline = self.get_object()
        body = MarkMetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            deadline = mark_deadline_met(
                deadline.pk,
                met_at=body.validated_data.get("met_at") or timezone.now(),
                evidence=body.validated_data["evidence"],
            )
        except ReviewConflict as exc:
            raise Conflict(str(exc))
        return Response(self.get_serializer(deadline).data)
