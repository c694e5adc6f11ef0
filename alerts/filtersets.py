"""One FilterSet per model, shared by the API (and the admin where useful)."""

import django_filters

from core.api.filters import ChoiceInFilter, FilterSet, IdInFilter

from .choices import Channel, DeliveryStatus
from .models import AlertDelivery, AlertRule


class AlertRuleFilterSet(FilterSet):
    channel = ChoiceInFilter(choices=Channel.choices, help_text="email or webhook (comma-separated).")
    owner = IdInFilter(help_text="Comma-separated owner (user) ids.")
    active = django_filters.BooleanFilter(help_text="true: rules that send; false: rules switched off.")

    class Meta:
        model = AlertRule
        fields = ["active"]


class AlertDeliveryFilterSet(FilterSet):
    rule = IdInFilter(help_text="Comma-separated rule ids: a rule's delivery log.")
    status = ChoiceInFilter(choices=DeliveryStatus.choices, help_text="Comma-separated statuses.")

    class Meta:
        model = AlertDelivery
        fields = []
