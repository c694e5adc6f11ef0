"""One FilterSet per model, shared by the API (and the admin where useful)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.api.filters import BBoxFilter, ChoiceInFilter, DateTimeFilter, FilterSet, IdInFilter
from core.choices import IncidentCategory
from incidents.models import Incident

from .choices import PairState
from .models import CandidatePair, Event


class EventFilterSet(FilterSet):
    """As for incidents, on each event's lead report."""

    occurred_after = DateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", help_text=_("Occurred at or after (ISO 8601).")
    )
    occurred_before = DateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", help_text=_("Occurred before (ISO 8601).")
    )
    updated_since = DateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text=_("Created or changed at or after this moment.")
    )
    category = ChoiceInFilter(choices=IncidentCategory.choices, help_text=_("Comma-separated categories."))
    perpetrator = IdInFilter(help_text=_("Comma-separated party ids."))
    perpetrator_unknown = django_filters.BooleanFilter(
        field_name="perpetrator",
        lookup_expr="isnull",
        help_text=_("true: only events with no known perpetrator."),
    )
    incident = IdInFilter(
        field_name="id", method="filter_incident", help_text=_("The events of these incident ids.")
    )
    reports_min = django_filters.NumberFilter(
        field_name="reports", lookup_expr="gte", min_value=2, help_text=_("At least this many reports.")
    )
    bbox = BBoxFilter()

    class Meta:
        model = Event
        fields = []

    def filter_incident(self, queryset, name, value):
        return queryset.filter(id__in=Incident.objects.filter(id__in=value).values("event"))


class CandidatePairFilterSet(FilterSet):
    state = ChoiceInFilter(
        choices=PairState.choices, help_text=_("Comma-separated states (pending: the queue).")
    )
    incident = IdInFilter(method="filter_incident", help_text=_("Pairs with one of these incident ids."))
    score_min = django_filters.NumberFilter(
        field_name="score",
        lookup_expr="gte",
        min_value=0,
        max_value=1,
        help_text=_("Score at least this (0 to 1)."),
    )

    class Meta:
        model = CandidatePair
        fields = []

    def filter_incident(self, queryset, name, value):
        return queryset.filter(first__in=value) | queryset.filter(second__in=value)
