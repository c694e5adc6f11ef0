from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers

from core.api.serializers import (
    ChoiceListField,
    FullCleanModelSerializer,
    RelatedIdField,
    RelatedValueField,
)

from ..choices import REVIEWED_STATUSES, IncidentStatus, Weapon
from ..csv import INCIDENT_CSV_FIELDS
from ..models import ClauseLink, Incident, Source, visible_sources


def request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class SourceSerializer(FullCleanModelSerializer):
    id = serializers.IntegerField(
        required=False, min_value=1, help_text="Give the id of an existing source to update it in place."
    )

    class Meta:
        model = Source
        fields = ["id", "name", "url", "published_on", "reliability", "confidential", "notes"]


class IncidentSerializer(FullCleanModelSerializer):
    """An incident with the sources the requesting user may see.

    `sources` is written as a whole: listed sources with an `id` are updated, without one are
    created, and visible sources left out are deleted. Confidential sources hidden from the user
    are never touched (nor revealed).
    """

    sources = SourceSerializer(many=True, required=False, source="visible_sources")
    weapons = ChoiceListField(Weapon, help_text="Weapons used.")
    perpetrator_name = RelatedValueField("perpetrator.name", "perpetrator_name_value")
    created_by = RelatedValueField(
        "created_by.username", "created_by_username", help_text="Username of who entered it."
    )

    class Meta:
        model = Incident
        fields = INCIDENT_CSV_FIELDS
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance):
        if not hasattr(instance, "visible_sources"):
            prefetch_related_objects([instance], visible_sources(request_user(self)))
        return super().to_representation(instance)

    def validate_status(self, value):
        previous = self.instance.status if self.instance is not None else IncidentStatus.DRAFT
        user = request_user(self)
        if (
            value != previous
            and (value in REVIEWED_STATUSES or previous in REVIEWED_STATUSES)
            and not (user and user.has_perm("incidents.verify_incident"))
        ):
            raise exceptions.PermissionDenied(
                _(
                    "Setting an incident to verified, disputed or rejected (or back) needs the permission "
                    "to verify incidents (Analyst)."
                )
            )
        return value

    def validate_sources(self, items):
        user = request_user(self)
        visible = set()
        if self.instance is not None:
            visible = set(
                Source.objects.visible_to(user).filter(incident=self.instance).values_list("id", flat=True)
            )
        ids = [item["id"] for item in items if item.get("id") is not None]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("A source id is listed twice."))
        unknown = [pk for pk in ids if pk not in visible]
        if unknown:
            # The same message whether the id is confidential, another incident's, or absent.
            raise serializers.ValidationError(
                _("No source with id %(id)s on this incident.") % {"id": unknown[0]}
            )
        needed = set()
        if any(item.get("id") is None for item in items):
            needed.add("incidents.add_source")
        if ids:
            needed.add("incidents.change_source")
        if visible - set(ids):
            needed.add("incidents.delete_source")
        if needed and not user.has_perms(needed):
            raise exceptions.PermissionDenied(_("Your role cannot change the sources of incidents."))
        return items

    def _write_sources(self, incident, items):
        if items is None:
            return
        existing = {s.pk: s for s in Source.objects.visible_to(request_user(self)).filter(incident=incident)}
        kept = set()
        for item in items:
            item = dict(item)
            pk = item.pop("id", None)
            source = existing[pk] if pk is not None else Source(incident=incident)
            for name, value in item.items():
                setattr(source, name, value)
            source.save()
            kept.add(source.pk)
        for pk, source in existing.items():
            if pk not in kept:
                source.delete()
        vars(incident).pop("visible_sources", None)  # to_representation loads them afresh

    @transaction.atomic
    def create(self, validated_data):
        sources = validated_data.pop("visible_sources", [])
        user = request_user(self)
        if user is not None and user.is_authenticated:
            validated_data["created_by"] = user
        incident = super().create(validated_data)
        self._write_sources(incident, sources)
        return incident

    @transaction.atomic
    def update(self, instance, validated_data):
        sources = validated_data.pop("visible_sources", None)
        incident = super().update(instance, validated_data)
        self._write_sources(incident, sources)
        return incident


class ClauseLinkSerializer(FullCleanModelSerializer):
    """An incident logged against a clause by a person (the admin's "clauses logged by staff")."""

    agreement = RelatedIdField(
        "clause.agreement_id", "agreement_id_value", help_text="The clause's agreement."
    )
    created_by = RelatedValueField(
        "created_by.username", "created_by_username", help_text="Username of who logged it."
    )

    class Meta:
        model = ClauseLink
        fields = ["id", "incident", "clause", "agreement", "note", "created_by", "created_at"]
        read_only_fields = ["created_at"]
        # No DRF unique-together validator: full_clean() checks the (incident, clause) constraint
        # with the model's message, as the admin does.
        validators = []

    def create(self, validated_data):
        user = request_user(self)
        if user is not None and user.is_authenticated:
            validated_data["created_by"] = user
        return super().create(validated_data)
