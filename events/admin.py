from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import CandidatePair, Event, EventDecision


class ReadOnlyAdmin(admin.ModelAdmin):
    """The job writes these; analysts merge and split through the API (events.services)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "occurred_at",
        "category",
        "reports",
        "datasets",
        "killed",
        "killed_range",
        "members",
    ]
    list_filter = ["category", "reports"]
    date_hierarchy = "occurred_at"
    list_select_related = ["perpetrator"]

    @admin.display(description=_("killed (range)"))
    def killed_range(self, event):
        return f"{event.killed_min}–{event.killed_max}"

    @admin.display(description=_("reports"))
    def members(self, event):
        url = reverse("admin:incidents_incident_changelist") + f"?event={event.id}"
        return format_html('<a href="{}">{}</a>', url, _("its reports"))


@admin.register(CandidatePair)
class CandidatePairAdmin(ReadOnlyAdmin):
    list_display = [
        "first",
        "second",
        "state",
        "score",
        "distance_km",
        "gap_hours",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["state", "same_category", "same_perpetrator"]
    list_select_related = ["first", "second", "decided_by"]
    readonly_fields = ["reasons"]


@admin.register(EventDecision)
class EventDecisionAdmin(ReadOnlyAdmin):
    list_display = ["decided_at", "kind", "event_id_at_decision", "incidents", "decided_by", "note"]
    list_filter = ["kind"]
    list_select_related = ["decided_by"]
