from django.db.models import F
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.viewsets import TrackerReadOnlyModelViewSet
from core.exceptions import StateConflict
from incidents.models import Incident

from .. import services
from ..filtersets import CandidatePairFilterSet, EventFilterSet
from ..models import CandidatePair, Event
from .serializers import DecisionRequestSerializer, EventDetailSerializer, EventSerializer, PairSerializer

GROUP_PERMS = ["events.view_event", "events.group_event"]


class EventViewSet(TrackerReadOnlyModelViewSet):
    """Reports of one happening grouped into events. Read-only, except an analyst's merge and split."""

    queryset = Event.objects.annotate(perpetrator_name_value=F("perpetrator__name"))
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    ordering_fields = ["occurred_at", "updated_at", "reports", "id"]
    ordering = ["-occurred_at"]
    action_permissions = {"merge": GROUP_PERMS, "split": GROUP_PERMS, "group": GROUP_PERMS}
    # Not in public read mode: an event's figures (reports, datasets, casualty range) are built
    # from all its reports, verified or not (docs/api.md, public read mode).
    public_readable = False

    def get_serializer_class(self):
        return EventDetailSerializer if self.action != "list" else EventSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve" and self.kwargs.get("pk"):
            context["members"] = list(Incident.objects.filter(event=self.kwargs["pk"]))
        return context

    def _body(self, request):
        body = DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    def _answer(self, event_id, code=status.HTTP_200_OK):
        event = self.get_queryset().get(pk=event_id)
        members = list(Incident.objects.filter(event=event.id))
        context = {**self.get_serializer_context(), "members": members}
        return Response(EventDetailSerializer(event, context=context).data, status=code)

    @extend_schema(
        request=DecisionRequestSerializer,
        responses={200: EventDetailSerializer},
        description="Merge the listed reports (with the events they belong to) into this event "
        "(needs `events.group_event`). The job never undoes it.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def merge(self, request, pk=None):
        event = self.get_object()
        body = self._body(request)
        self._check_exist(body["incidents"])
        try:
            merged = services.merge(
                [event.anchor_id, *body["incidents"]], user=request.user, note=body.get("note", "")
            )
        except StateConflict as exc:
            raise ValidationError({"incidents": [str(exc)]}) from exc
        return self._answer(merged.id)

    @extend_schema(
        request=DecisionRequestSerializer,
        responses={200: EventDetailSerializer},
        description="Group the listed reports (two or more, with the events they belong to) into "
        "one event (needs `events.group_event`). The job never undoes it.",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def group(self, request):
        body = self._body(request)
        self._check_exist(body["incidents"])
        try:
            merged = services.merge(body["incidents"], user=request.user, note=body.get("note", ""))
        except StateConflict as exc:
            raise ValidationError({"incidents": [str(exc)]}) from exc
        return self._answer(merged.id, status.HTTP_201_CREATED)

    @extend_schema(
        request=DecisionRequestSerializer,
        responses={200: EventSerializer(many=True)},
        description="Take the listed reports out of this event (needs `events.group_event`). The "
        "job never groups them with the reports left in it again. Returns the events the reports "
        "now form (a report left on its own is in none).",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def split(self, request, pk=None):
        event = self.get_object()
        body = self._body(request)
        try:
            event_ids = services.split(
                event.id, body["incidents"], user=request.user, note=body.get("note", "")
            )
        except StateConflict as exc:
            raise ValidationError({"incidents": [str(exc)]}) from exc
        events = self.get_queryset().filter(id__in=event_ids).order_by("id")
        return Response(EventSerializer(events, many=True).data)

    def _check_exist(self, ids):
        found = set(Incident.objects.filter(id__in=ids).values_list("id", flat=True))
        missing = sorted(set(ids) - found)
        if missing:
            raise ValidationError({"incidents": [_("No incident with id %(id)s.") % {"id": missing[0]}]})


class CandidatePairViewSet(TrackerReadOnlyModelViewSet):
    """Candidate pairs: the evidence that two reports are one happening (`?state=pending`: the queue)."""

    queryset = CandidatePair.objects.annotate(decided_by_username=F("decided_by__username"))
    serializer_class = PairSerializer
    filterset_class = CandidatePairFilterSet
    ordering_fields = ["score", "id"]
    ordering = ["-score"]
    public_readable = False
