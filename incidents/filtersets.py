"""One FilterSet per model, shared by the API (and the admin where useful)."""

import django_filters
from django.db.models import Q

from core.api.filters import BBoxFilter, ChoiceInFilter, DateTimeFilter, FilterSet, IdInFilter, SearchFilter
from core.choices import IncidentCategory
from core.i18n import fold_arabic, has_arabic

from . import gazetteer
from .choices import ActorCase, DatePrecision, IncidentStatus, LocationPrecision, TargetType, Weapon
from .models import ClauseLink, Incident


def arabic_place_match(value: str) -> Q:
    """Incidents recorded at a place whose Arabic name is `value` (سراقب finds Saraqib): their
    place, district or governorate names one of its Latin spellings, or their place name is a
    spelling the gazetteer reads as that Arabic name (Saraqeb)."""
    match = Q()
    for name in gazetteer.latin_names(value.strip()):
        match |= Q(place_name__icontains=name) | Q(admin1__iexact=name) | Q(admin2__iexact=name)
    wanted = fold_arabic(value.strip())
    if len(wanted) >= 2:
        recorded = Incident.objects.exclude(place_name="").values_list("place_name", flat=True).distinct()
        spelled = [name for name in recorded if wanted in fold_arabic(gazetteer.arabic_name(name))]
        if spelled:
            match |= Q(place_name__in=spelled)
    return match


class PlaceSearchFilter(SearchFilter):
    """The free-text search, where a place name in Arabic also finds the incidents recorded with
    its Latin name."""

    def filter(self, qs, value):
        if value and has_arabic(value):
            place = arabic_place_match(value)
            if place:
                return qs.filter(place | Q(pk__in=super().filter(qs, value).values("pk")))
        return super().filter(qs, value)


class IncidentFilterSet(FilterSet):
    q = PlaceSearchFilter(search_fields=["description", "place_name", "admin1", "admin2"])
    occurred_after = DateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        help_text="Occurred at or after (ISO 8601 date or date-time; a bare date is midnight UTC).",
    )
    occurred_before = DateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        help_text="Occurred before (ISO 8601 date or date-time; a bare date is midnight UTC).",
    )
    updated_since = DateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Created or changed at or after this moment."
    )
    category = ChoiceInFilter(choices=IncidentCategory.choices, help_text="Comma-separated categories.")
    perpetrator = IdInFilter(help_text="Comma-separated party ids.")
    perpetrator_unknown = django_filters.BooleanFilter(
        field_name="perpetrator",
        lookup_expr="isnull",
        help_text="true: only incidents with no known perpetrator.",
    )
    actor_case = ChoiceInFilter(
        choices=ActorCase.choices, help_text="Comma-separated: registered, unidentified, named."
    )
    status = ChoiceInFilter(choices=IncidentStatus.choices, help_text="Comma-separated statuses.")
    location_precision = ChoiceInFilter(
        choices=LocationPrecision.choices, help_text="Comma-separated precisions."
    )
    date_precision = ChoiceInFilter(choices=DatePrecision.choices, help_text="Comma-separated precisions.")
    target_type = ChoiceInFilter(
        choices=[c for c in TargetType.choices if c[0]], help_text="Comma-separated."
    )
    weapon = django_filters.ChoiceFilter(
        choices=Weapon.choices, method="filter_weapon", help_text="Incidents that used this weapon."
    )
    admin1 = django_filters.CharFilter(
        lookup_expr="iexact", max_length=100, help_text="Governorate (exact, any case)."
    )
    admin2 = django_filters.CharFilter(
        lookup_expr="iexact", max_length=100, help_text="District (exact, any case)."
    )
    source_dataset = django_filters.CharFilter(
        max_length=30, help_text="Imported from this dataset (acled, ucdp...)."
    )
    external_id = django_filters.CharFilter(max_length=100, help_text="Its id in that dataset.")
    event = IdInFilter(help_text="Comma-separated event ids: the reports grouped into these events.")
    grouped = django_filters.BooleanFilter(
        field_name="event",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: only reports grouped with others into an event; false: only those standing alone.",
    )
    clause = IdInFilter(
        method="filter_clause", help_text="Breaching (engine) or logged against (staff) these clause ids."
    )
    agreement = IdInFilter(
        method="filter_agreement", help_text="Breaching or logged against a clause of these agreement ids."
    )
    bbox = BBoxFilter()

    class Meta:
        model = Incident
        fields = []

    def filter_weapon(self, queryset, name, value):
        return queryset.filter(weapons__icontains=f'"{value}"')

    def filter_clause(self, queryset, name, value):
        return queryset.filter(Q(violations__clause__in=value) | Q(clause_links__clause__in=value)).distinct()

    def filter_agreement(self, queryset, name, value):
        return queryset.filter(
            Q(violations__clause__agreement__in=value) | Q(clause_links__clause__agreement__in=value)
        ).distinct()


class ClauseLinkFilterSet(FilterSet):
    q = SearchFilter(search_fields=["note"])
    incident = IdInFilter(help_text="Comma-separated incident ids.")
    clause = IdInFilter(help_text="Comma-separated clause ids.")
    agreement = IdInFilter(field_name="clause__agreement", help_text="Clauses of these agreement ids.")
    created_after = DateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Logged at or after (ISO 8601 date or date-time; a bare date is midnight UTC).",
    )
    created_before = DateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        help_text="Logged before (ISO 8601 date or date-time; a bare date is midnight UTC).",
    )

    class Meta:
        model = ClauseLink
        fields = []
