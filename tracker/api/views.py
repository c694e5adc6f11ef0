from django.db.models import F
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.exceptions import Conflict
from core.api.export import ExportMixin
from core.api.renderers import CSVRenderer, GeoJSONRenderer, point_feature
from core.api.viewsets import TrackerReadOnlyModelViewSet, TrackerViewSetMixin
from core.exceptions import StateConflict
from incidents.choices import IncidentStatus
from incidents.models import ActorDecision

from .. import actors
from ..choices import ViolationStatus
from ..csv import VIOLATION_CSV_COLUMNS
from ..filtersets import ViolationFilterSet
from ..models import Violation
from ..services import review_violation
from .serializers import ActorDecisionSerializer, NamedActorSerializer, ReviewSerializer, ViolationSerializer

REVIEW_PERMS = ["tracker.view_violation", "tracker.review_violation"]


class ViolationViewSet(ExportMixin, TrackerReadOnlyModelViewSet):
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
        "killed": F("incident__killed_civilians")
        + F("incident__killed_combatants")
        + F("incident__killed_unknown"),
        "injured": F("incident__injured_civilians")
        + F("incident__injured_combatants")
        + F("incident__injured_unknown"),
    }
    action_permissions = {"confirm": REVIEW_PERMS, "dismiss": REVIEW_PERMS}

    def public_queryset(self, queryset):
        return queryset.filter(status=ViolationStatus.CONFIRMED, incident__status=IncidentStatus.VERIFIED)

    def geojson_feature(self, item):
        return point_feature(item), {k: v for k, v in item.items() if k != "id"}

    export_geojson_point = ("latitude", "longitude")

    def _review(self, request, status):
        violation = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            violation = review_violation(
                violation.pk, status=status, user=request.user, note=body.validated_data.get("note", "")
            )
        except StateConflict as exc:
            raise Conflict(str(exc)) from exc
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


class ActorViewSet(TrackerViewSetMixin, viewsets.GenericViewSet):
    """Actor triage: the named actors that match no party, and the decisions about them."""

    queryset = ActorDecision.objects.all()
    serializer_class = ActorDecisionSerializer
    public_readable = False
    pagination_class = None
    filter_backends = []
    action_permissions = {"decide": ["incidents.view_actordecision", "incidents.add_actordecision"]}

    @extend_schema(responses=NamedActorSerializer(many=True))
    def list(self, request, *args, **kwargs):
        """Named actors waiting for a decision, most frequent first (not paginated)."""
        return Response(NamedActorSerializer(actors.named_actors(), many=True).data)

    @extend_schema(request=ActorDecisionSerializer, responses={202: ActorDecisionSerializer})
    @action(detail=False, methods=["post"])
    def decide(self, request):
        """Decide about a name; the incidents naming it are re-evaluated by a worker job."""
        serializer = ActorDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = actors.decide(user=request.user, **serializer.validated_data)
        return Response(ActorDecisionSerializer(decision).data, status=202)
