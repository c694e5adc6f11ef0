from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.schema import GEOMETRY_SCHEMA
from core.api.serializers import ChoiceListField, FullCleanModelSerializer
from core.choices import IncidentCategory

from ..models import Agreement, AgreementLink, AgreementParty, Area, Clause, Deadline, Party, PartyAlias


class PartyAliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartyAlias
        fields = ["id", "name", "dataset"]


class PartySerializer(FullCleanModelSerializer):
    aliases = PartyAliasSerializer(many=True, required=False, help_text="Replaced as a whole when given.")

    class Meta:
        model = Party
        fields = ["id", "name", "name_ar", "short_name", "short_name_ar", "kind", "description", "aliases"]

    def validate_aliases(self, aliases):
        seen = set()
        for alias in aliases:
            key = alias["name"].strip().lower()
            if key in seen:
                raise serializers.ValidationError(
                    _("The alias %(name)s is listed twice.") % {"name": repr(alias["name"])}
                )
            seen.add(key)
            taken = PartyAlias.objects.filter(name__iexact=alias["name"])
            if self.instance is not None:
                taken = taken.exclude(party=self.instance)
            if taken.exists():
                raise serializers.ValidationError(
                    _("The alias %(name)s already names another party.") % {"name": repr(alias["name"])}
                )
        return aliases

    @transaction.atomic
    def create(self, validated_data):
        aliases = validated_data.pop("aliases", [])
        party = super().create(validated_data)
        PartyAlias.objects.bulk_create(PartyAlias(party=party, **alias) for alias in aliases)
        return party

    @transaction.atomic
    def update(self, instance, validated_data):
        aliases = validated_data.pop("aliases", None)
        party = super().update(instance, validated_data)
        if aliases is not None:
            party.aliases.all().delete()
            PartyAlias.objects.bulk_create(PartyAlias(party=party, **alias) for alias in aliases)
        return party


class AgreementPartySerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementParty
        fields = ["party", "role"]


class AgreementLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementLink
        fields = ["title", "url"]


class AgreementSerializer(FullCleanModelSerializer):
    parties = AgreementPartySerializer(
        many=True,
        required=False,
        source="party_roles",
        help_text="Parties with their role; replaced as a whole when given.",
    )
    links = AgreementLinkSerializer(many=True, required=False, help_text="Replaced as a whole when given.")

    class Meta:
        model = Agreement
        fields = [
            "id",
            "title",
            "title_ar",
            "slug",
            "signed_on",
            "in_force_from",
            "in_force_until",
            "status",
            "summary",
            "text",
            "timezone",
            "parties",
            "links",
            "areas",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_parties(self, parties):
        pairs = [(p["party"].pk, p["role"]) for p in parties]
        if len(pairs) != len(set(pairs)):
            raise serializers.ValidationError(_("A party is listed twice with the same role."))
        return parties

    def _write_nested(self, agreement, parties, links):
        if parties is not None:
            agreement.party_roles.all().delete()
            AgreementParty.objects.bulk_create(AgreementParty(agreement=agreement, **p) for p in parties)
        if links is not None:
            agreement.links.all().delete()
            AgreementLink.objects.bulk_create(AgreementLink(agreement=agreement, **link) for link in links)

    @transaction.atomic
    def create(self, validated_data):
        parties = validated_data.pop("party_roles", None)
        links = validated_data.pop("links", None)
        agreement = super().create(validated_data)
        self._write_nested(agreement, parties, links)
        return agreement

    @transaction.atomic
    def update(self, instance, validated_data):
        parties = validated_data.pop("party_roles", None)
        links = validated_data.pop("links", None)
        agreement = super().update(instance, validated_data)
        self._write_nested(agreement, parties, links)
        return agreement


@extend_schema_field(GEOMETRY_SCHEMA)
class GeometryField(serializers.JSONField):
    pass


class AreaSerializer(FullCleanModelSerializer):
    geometry = GeometryField(
        help_text="GeoJSON geometry in [longitude, latitude] order: Polygon, MultiPolygon, LineString, "
        "MultiLineString, Point or MultiPoint. Points and lines need a buffer_km."
    )
    bbox = serializers.SerializerMethodField(
        help_text="[min_lon, min_lat, max_lon, max_lat] including the buffer."
    )

    class Meta:
        model = Area
        fields = ["id", "name", "name_ar", "slug", "description", "geometry", "buffer_km", "bbox"]

    @extend_schema_field({"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4})
    def get_bbox(self, area):
        return [area.min_lon, area.min_lat, area.max_lon, area.max_lat]


class ClauseSerializer(FullCleanModelSerializer):
    prohibited_categories = ChoiceListField(IncidentCategory, help_text="Incident categories that breach it.")
    effective_from = serializers.DateTimeField(read_only=True, allow_null=True)
    effective_until = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Clause
        fields = [
            "id",
            "agreement",
            "number",
            "title",
            "title_ar",
            "text",
            "kind",
            "obligated_parties",
            "areas",
            "in_force_from",
            "in_force_until",
            "effective_from",
            "effective_until",
            "prohibited_categories",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


DEADLINE_YEARS = (1900, 2200)


class DeadlineSerializer(FullCleanModelSerializer):
    class Meta:
        model = Deadline
        fields = [
            "id",
            "agreement",
            "clause",
            "description",
            "description_ar",
            "due_date",
            "due_time",
            "extended_to",
            "status",
            "met_at",
            "evidence",
            "due_at",
            "due_soon",
            "missed_at",
        ]
        read_only_fields = ["due_at", "due_soon", "missed_at"]
        extra_kwargs = {"agreement": {"required": False, "help_text": "Defaults to the clause's agreement."}}

    def _plausible_date(self, value):
        # The due moment is computed from the date in the agreement's time zone: keep it within
        # years any calendar, database and client can represent.
        if value is not None and not (DEADLINE_YEARS[0] <= value.year <= DEADLINE_YEARS[1]):
            raise serializers.ValidationError(
                _("Give a date between %(first)d and %(last)d.")
                % {"first": DEADLINE_YEARS[0], "last": DEADLINE_YEARS[1]}
            )
        return value

    def validate_due_date(self, value):
        return self._plausible_date(value)

    def validate_extended_to(self, value):
        return self._plausible_date(value)

    def validate(self, attrs):
        if not attrs.get("agreement") and attrs.get("clause") and self.instance is None:
            attrs["agreement"] = attrs["clause"].agreement
        return super().validate(attrs)


class MarkMetSerializer(serializers.Serializer):
    met_at = serializers.DateTimeField(required=False, help_text="When it was met; now if omitted.")
    evidence = serializers.CharField(max_length=10000, help_text="Why the deadline counts as met.")
