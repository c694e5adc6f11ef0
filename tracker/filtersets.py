"""One FilterSet per model, shared by the API (and the admin where useful)."""

from core.api.filters import (
    BBoxFilter,
    ChoiceInFilter,
    DateTimeFilter,
    FilterSet,
    IdInFilter,
    IdOrSlugInFilter,
    SearchFilter,
)
from core.choices import IncidentCategory
from incidents.choices import LocationPrecision

from .choices import Confidence, ViolationStatus
from .models import Violation


class ViolationFilterSet(FilterSet):
    q = SearchFilter(search_fields=["incident__description", "incident__place_name", "review_note"])
    status = ChoiceInFilter(choices=ViolationStatus.choices, help_text="Comma-separated statuses.")
    confidence = ChoiceInFilter(choices=Confidence.choices, help_text="Comma-separated confidences.")
    clause = IdInFilter(help_text="Comma-separated clause ids.")
    agreement = IdOrSlugInFilter(
        field_name="clause__agreement", help_text="Comma-separated agreement ids or slugs (`sochi-2018`)."
    )
    incident = IdInFilter(help_text="Comma-separated incident ids.")
    event = IdInFilter(field_name="incident__event", help_text="Comma-separated event ids.")
    party = IdInFilter(
        field_name="incident__perpetrator", help_text="Perpetrator party ids (comma-separated)."
    )
    category = ChoiceInFilter(
        field_name="incident__category",
        choices=IncidentCategory.choices,
        help_text="Incident categories (comma-separated).",
    )
    location_precision = ChoiceInFilter(
        field_name="incident__location_precision",
        choices=LocationPrecision.choices,
        help_text="Comma-separated.",
    )
    occurred_after = DateTimeFilter(
        field_name="incident__occurred_at",
        lookup_expr="gte",
        help_text="Incident occurred at or after (ISO 8601).",
    )
    occurred_before = DateTimeFilter(
        field_name="incident__occurred_at", lookup_expr="lt", help_text="Incident occurred before (ISO 8601)."
    )
    flagged_after = DateTimeFilter(
        field_name="flagged_at", lookup_expr="gte", help_text="Flagged at or after (ISO 8601)."
    )
    flagged_before = DateTimeFilter(
        field_name="flagged_at", lookup_expr="lt", help_text="Flagged before (ISO 8601)."
    )
    bbox = BBoxFilter(lat_field="incident__latitude", lon_field="incident__longitude")

    class Meta:
        model = Violation
        fields = []
