"""One FilterSet per model, shared by the API (and the admin where useful)."""

import django_filters
from django.db.models import Q

from core.api.filters import BBoxFilter, ChoiceInFilter, DateTimeFilter, FilterSet, IdInFilter, SearchFilter
from core.choices import IncidentCategory

from .choices import AgreementStatus, ClauseKind, DeadlineStatus, PartyKind, PartyRole
from .models import Agreement, Area, Clause, Deadline, Party


class AreaBBoxFilter(BBoxFilter):
    """Areas whose bounding box (buffer included) overlaps the requested box."""

    def filter(self, qs, value):
        if not value:
            return qs
        min_lon, min_lat, max_lon, max_lat = value
        return qs.filter(
            min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat
        )


class PartyFilterSet(FilterSet):
    q = SearchFilter(search_fields=["name", "name_ar", "short_name", "short_name_ar", "aliases__name"])
    kind = ChoiceInFilter(choices=PartyKind.choices, help_text="Comma-separated party kinds.")
    agreement = IdInFilter(field_name="agreements", distinct=True, help_text="Party to these agreement ids.")
    role = ChoiceInFilter(
        field_name="agreement_roles__role",
        choices=PartyRole.choices,
        distinct=True,
        help_text="Has one of these roles in some agreement.",
    )

    class Meta:
        model = Party
        fields = []


class AgreementFilterSet(FilterSet):
    q = SearchFilter(search_fields=["title", "title_ar", "slug", "summary"])
    slug = django_filters.CharFilter(max_length=100, help_text="Exact slug, e.g. sochi-2018.")
    status = ChoiceInFilter(choices=AgreementStatus.choices, help_text="Comma-separated statuses.")
    signed_after = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", help_text="Signed on or after this date."
    )
    signed_before = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", help_text="Signed on or before this date."
    )
    party = IdInFilter(field_name="parties", distinct=True, help_text="Comma-separated party ids.")

    class Meta:
        model = Agreement
        fields = []


class AreaFilterSet(FilterSet):
    q = SearchFilter(search_fields=["name", "name_ar", "slug", "description"])
    agreement = IdInFilter(field_name="agreements", distinct=True, help_text="Areas of these agreement ids.")
    clause = IdInFilter(field_name="clauses", distinct=True, help_text="Areas of these clause ids.")
    bbox = AreaBBoxFilter(
        help_text="minlon,minlat,maxlon,maxlat: areas (with their buffer) that touch this box."
    )

    class Meta:
        model = Area
        fields = []


class ClauseFilterSet(FilterSet):
    q = SearchFilter(search_fields=["number", "title", "title_ar", "text"])
    agreement = IdInFilter(help_text="Comma-separated agreement ids.")
    agreement_slug = django_filters.CharFilter(
        field_name="agreement__slug", max_length=100, help_text="Clauses of the agreement with this slug."
    )
    kind = ChoiceInFilter(choices=ClauseKind.choices, help_text="Comma-separated clause kinds.")
    party = IdInFilter(field_name="obligated_parties", distinct=True, help_text="Binding these party ids.")
    area = IdInFilter(field_name="areas", distinct=True, help_text="Naming these area ids.")
    prohibits = django_filters.ChoiceFilter(
        choices=IncidentCategory.choices,
        method="filter_prohibits",
        help_text="Clauses that prohibit this incident category.",
    )
    in_force_at = DateTimeFilter(
        method="filter_in_force_at",
        help_text="In force at this moment (the clause's window, or else its agreement's).",
    )

    class Meta:
        model = Clause
        fields = []

    def filter_prohibits(self, queryset, name, value):
        # A JSON list column: matched in Python, the clause table is small (works on SQLite too).
        ids = [
            pk
            for pk, cats in Clause.objects.values_list("id", "prohibited_categories")
            if value in (cats or [])
        ]
        return queryset.filter(id__in=ids)

    def filter_in_force_at(self, queryset, name, value):
        started = Q(in_force_from__lte=value) | Q(in_force_from__isnull=True) & (
            Q(agreement__in_force_from__lte=value) | Q(agreement__in_force_from__isnull=True)
        )
        not_ended = Q(in_force_until__gt=value) | Q(in_force_until__isnull=True) & (
            Q(agreement__in_force_until__gt=value) | Q(agreement__in_force_until__isnull=True)
        )
        return queryset.filter(started & not_ended)


class DeadlineFilterSet(FilterSet):
    q = SearchFilter(search_fields=["description", "description_ar", "evidence"])
    agreement = IdInFilter(help_text="Comma-separated agreement ids.")
    clause = IdInFilter(help_text="Comma-separated clause ids.")
    status = ChoiceInFilter(choices=DeadlineStatus.choices, help_text="Comma-separated statuses.")
    due_after = DateTimeFilter(
        field_name="due_at", lookup_expr="gte", help_text="Falls due at or after this moment (ISO 8601)."
    )
    due_before = DateTimeFilter(
        field_name="due_at", lookup_expr="lt", help_text="Falls due before this moment (ISO 8601)."
    )
    due_soon = django_filters.BooleanFilter(help_text="true: deadlines the engine flagged as due soon.")

    class Meta:
        model = Deadline
        fields = []
