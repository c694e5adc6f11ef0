from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api.serializers import RelatedIdField, RelatedValueField
from incidents.choices import ActorDecisionKind
from incidents.models import ActorDecision

from ..csv import VIOLATION_CSV_FIELDS
from ..models import Violation


class ViolationSerializer(serializers.ModelSerializer):
    """A violation with what a reader needs of its incident and clause (never the sources)."""

    event = serializers.IntegerField(
        source="incident.event",
        read_only=True,
        allow_null=True,
        help_text="The event its incident is grouped into (null: an event of its own).",
    )
    occurred_at = serializers.DateTimeField(source="incident.occurred_at", read_only=True)
    category = serializers.CharField(source="incident.category", read_only=True)
    place_name = serializers.CharField(source="incident.place_name", read_only=True)
    admin1 = serializers.CharField(source="incident.admin1", read_only=True)
    latitude = serializers.FloatField(source="incident.latitude", read_only=True, allow_null=True)
    longitude = serializers.FloatField(source="incident.longitude", read_only=True, allow_null=True)
    location_precision = serializers.CharField(source="incident.location_precision", read_only=True)
    perpetrator = serializers.IntegerField(source="incident.perpetrator_id", read_only=True, allow_null=True)
    perpetrator_name = RelatedValueField("incident.perpetrator.name", "perpetrator_name_value")
    killed = serializers.IntegerField(source="incident.killed", read_only=True)
    injured = serializers.IntegerField(source="incident.injured", read_only=True)
    agreement = RelatedIdField("clause.agreement_id", "agreement_id_value")
    agreement_slug = RelatedValueField("clause.agreement.slug", "agreement_slug_value")
    clause_number = RelatedValueField("clause.number", "clause_number_value")
    reasons = serializers.ListField(
        child=serializers.JSONField(), read_only=True, help_text="Why the engine gave this confidence."
    )
    reviewed_by = RelatedValueField("reviewed_by.username", "reviewed_by_username")

    class Meta:
        model = Violation
        fields = VIOLATION_CSV_FIELDS
        read_only_fields = VIOLATION_CSV_FIELDS


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, help_text="Why it was confirmed or dismissed."
    )


class NamedActorSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The actor as the sources name it.")
    incidents = serializers.IntegerField(help_text="Incidents naming it.")
    datasets = serializers.ListField(child=serializers.CharField(), help_text="Where they come from.")
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()


class ActorDecisionSerializer(serializers.ModelSerializer):
    """An analyst's decision about a named actor: map it to a party, mark it unidentified, or
    mark it as bound by no tracked agreement."""

    class Meta:
        model = ActorDecision
        fields = ["id", "name", "kind", "party", "decided_at"]
        read_only_fields = ["id", "decided_at"]
        validators = []  # the service replaces an earlier decision about the same name

    def validate(self, attrs):
        if (attrs["kind"] == ActorDecisionKind.PARTY) != (attrs.get("party") is not None):
            raise serializers.ValidationError({"party": _("Give a party exactly when the kind is `party`.")})
        return attrs
