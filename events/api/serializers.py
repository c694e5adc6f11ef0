from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import RelatedValueField
from incidents.models import Incident

from ..models import CandidatePair, Event, EventDecision

EVENT_FIELDS = [
    "id",
    "occurred_at",
    "occurred_until",
    "category",
    "latitude",
    "longitude",
    "perpetrator",
    "perpetrator_name",
    "reports",
    "datasets",
    "lead",
    "killed",
    "killed_min",
    "killed_max",
    "injured",
    "injured_min",
    "injured_max",
    "updated_at",
]


class EventSerializer(serializers.ModelSerializer):
    """An event: its lead report's when, where, what and who; its sources; casualties as the
    median of its reports with their range (never their sum)."""

    perpetrator_name = RelatedValueField("perpetrator.name", "perpetrator_name_value")

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        read_only_fields = EVENT_FIELDS


class MemberSerializer(serializers.ModelSerializer):
    killed = serializers.IntegerField(read_only=True)
    injured = serializers.IntegerField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "occurred_at",
            "date_precision",
            "place_name",
            "latitude",
            "longitude",
            "location_precision",
            "category",
            "perpetrator",
            "actor_name",
            "source_dataset",
            "external_id",
            "status",
            "killed",
            "injured",
        ]
        read_only_fields = fields


class PairSerializer(serializers.ModelSerializer):
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    decided_by = RelatedValueField("decided_by.username", "decided_by_username")

    class Meta:
        model = CandidatePair
        fields = ["id", "first", "second", "state", "score", "reasons", "decided_by", "decided_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)

    class Meta:
        model = EventDecision
        fields = ["id", "kind", "incidents", "decided_by", "decided_at", "note"]
        read_only_fields = fields


class EventDetailSerializer(EventSerializer):
    members = serializers.SerializerMethodField(help_text=_("Its reports (incidents), lead first."))
    pairs = serializers.SerializerMethodField(
        help_text=_("The candidate pairs among its reports, with scores.")
    )
    decisions = serializers.SerializerMethodField(help_text=_("Analysts' merges and splits, newest first."))

    class Meta(EventSerializer.Meta):
        fields = [*EVENT_FIELDS, "members", "pairs", "decisions"]
        read_only_fields = fields

    def _members(self, event):
        members = self.context.get("members")
        return members if members is not None else list(Incident.objects.filter(event=event.id))

    def get_members(self, event) -> list[dict]:
        members = sorted(self._members(event), key=lambda m: (m.id != event.lead_id, m.id))
        return MemberSerializer(members, many=True).data

    def get_pairs(self, event) -> list[dict]:
        ids = [m.id for m in self._members(event)]
        pairs = CandidatePair.objects.filter(first__in=ids, second__in=ids).select_related("decided_by")
        return PairSerializer(pairs, many=True).data

    def get_decisions(self, event) -> list[dict]:
        ids = {m.id for m in self._members(event)}
        decisions = EventDecision.objects.filter(event_id_at_decision=event.id).select_related("decided_by")
        found = list(decisions)
        # Also a decision that moved one of its reports while the event had another id.
        others = EventDecision.objects.exclude(event_id_at_decision=event.id).select_related("decided_by")
        found += [d for d in others.order_by("-decided_at")[:500] if ids & set(d.incidents)]
        found.sort(key=lambda d: (d.decided_at, d.id), reverse=True)
        return DecisionSerializer(found, many=True).data


class DecisionRequestSerializer(serializers.Serializer):
    incidents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=1_000,
        help_text=_("Incident ids."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
