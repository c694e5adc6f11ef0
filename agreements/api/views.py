import datetime as dt

import icalendar
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.api.authentication import CalendarTokenAuthentication
from core.api.exceptions import Conflict
from core.api.filters import DjangoFilterBackend
from core.api.history import HistoryViewSetMixin
from core.api.renderers import GeoJSONRenderer, ICalendarRenderer
from core.api.viewsets import TrackerModelViewSet, TrackerViewSetMixin
from core.exceptions import StateConflict

from .. import filtersets
from ..choices import DeadlineStatus
from ..models import Agreement, Area, Clause, Deadline, Party
from ..services import mark_deadline_met
from . import serializers


class PartyViewSet(HistoryViewSetMixin, TrackerModelViewSet):
    queryset = Party.objects.prefetch_related("aliases")
    serializer_class = serializers.PartySerializer
    filterset_class = filtersets.PartyFilterSet
    ordering_fields = ["name", "id"]
    ordering = ["name"]


class AgreementViewSet(HistoryViewSetMixin, TrackerModelViewSet):
    queryset = Agreement.objects.prefetch_related("party_roles", "links", "areas")
    serializer_class = serializers.AgreementSerializer
    filterset_class = filtersets.AgreementFilterSet
    ordering_fields = ["slug", "title", "created_at", "id"]
    ordering = ["slug"]


class AreaViewSet(HistoryViewSetMixin, TrackerModelViewSet):
    queryset = Area.objects.all()
    serializer_class = serializers.AreaSerializer
    filterset_class = filtersets.AreaFilterSet
    ordering_fields = ["name", "slug", "id"]
    ordering = ["name"]
    renderer_classes = [*TrackerModelViewSet.renderer_classes, GeoJSONRenderer]

    def geojson_feature(self, item):
        """The stored geometry; `buffer_km` in the properties says how far it reaches beyond it."""
        properties = {k: v for k, v in item.items() if k not in ("geometry", "id")}
        return item["geometry"], properties


class ClauseViewSet(HistoryViewSetMixin, TrackerModelViewSet):
    queryset = Clause.objects.select_related("agreement").prefetch_related("obligated_parties", "areas")
    serializer_class = serializers.ClauseSerializer
    filterset_class = filtersets.ClauseFilterSet
    ordering_fields = ["id", "created_at"]
    ordering = ["id"]


class DeadlineViewSet(HistoryViewSetMixin, TrackerModelViewSet):
    queryset = Deadline.objects.all()
    serializer_class = serializers.DeadlineSerializer
    filterset_class = filtersets.DeadlineFilterSet
    ordering_fields = ["due_at", "id"]
    ordering = ["due_at"]
    action_permissions = {"mark_met": ["agreements.view_deadline", "agreements.change_deadline"]}

    @extend_schema(
        request=serializers.MarkMetSerializer,
        responses={200: serializers.DeadlineSerializer},
        description="Record that the deadline was met (a pending, extended or missed one; not a waived one). "
        "Needs `agreements.change_deadline`. 409 if the deadline cannot be marked met.",
    )
    @action(detail=True, methods=["post"], url_path="mark-met", filter_backends=[])
    def mark_met(self, request, pk=None):
        deadline = self.get_object()
        body = serializers.MarkMetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            deadline = mark_deadline_met(
                deadline.pk,
                met_at=body.validated_data.get("met_at") or timezone.now(),
                evidence=body.validated_data["evidence"],
            )
        except StateConflict as exc:
            raise Conflict(str(exc)) from exc
        return Response(self.get_serializer(deadline).data)


class DeadlineCalendarView(TrackerViewSetMixin, generics.GenericAPIView):
    """Deadlines as an iCalendar feed (RFC 5545) to subscribe to in a calendar app.

    Calendar apps cannot send headers, so besides `Authorization: Token <key>` and the session
    this feed accepts the token in the query string: `/api/v1/deadlines.ics?token=<key>`.
    Accepts the deadline filters (`agreement`, `status`, `due_after`...).
    """

    queryset = Deadline.objects.select_related("agreement", "clause")
    filterset_class = filtersets.DeadlineFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    renderer_classes = [ICalendarRenderer]
    authentication_classes = [CalendarTokenAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]

    @extend_schema(
        operation_id="deadlines_ics",
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request):
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Ceasefire Compliance Tracker//deadlines//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", _("Ceasefire deadlines"))
        now = timezone.now()
        for deadline in self.filter_queryset(self.get_queryset()):
            calendar.add_component(deadline_event(deadline, now))
        return Response(calendar.to_ical())


def deadline_event(deadline, now):
    event = icalendar.Event()
    event.add("uid", f"deadline-{deadline.pk}@ceasefire-tracker")
    event.add("dtstamp", now)
    status = "" if deadline.status == DeadlineStatus.PENDING else f" [{deadline.get_status_display()}]"
    event.add("summary", f"{deadline.agreement.slug}: {deadline.display_name}{status}")
    if deadline.due_time and not deadline.extended_to:
        event.add("dtstart", deadline.due_at)
        event.add("dtend", deadline.due_at)
    else:
        day = deadline.extended_to or deadline.due_date
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
    lines = [_("Agreement: %(title)s") % {"title": deadline.agreement.display_name}]
    if deadline.clause_id:
        lines.append(
            _("Clause %(number)s: %(title)s")
            % {"number": deadline.clause.number, "title": deadline.clause.display_name}
        )
    lines.append(_("Status: %(status)s") % {"status": deadline.get_status_display()})
    if deadline.extended_to:
        lines.append(
            _("Extended from %(from)s to %(to)s")
            % {"from": date_format(deadline.due_date), "to": date_format(deadline.extended_to)}
        )
    if deadline.evidence:
        lines.append(_("Evidence: %(evidence)s") % {"evidence": deadline.evidence})
    event.add("description", "\n".join(lines))
    event.add("categories", [deadline.get_status_display()])
    event.add("status", "CANCELLED" if deadline.status == DeadlineStatus.WAIVED else "CONFIRMED")
    return event
