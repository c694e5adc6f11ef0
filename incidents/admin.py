from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import Area
from core.i18n import has_arabic

from . import gazetteer
from .choices import REVIEWED_STATUSES, DatePrecision, IncidentStatus
from .filtersets import arabic_place_match
from .models import ClauseLink, Incident, Source, may_see_confidential
from .widgets import MapPicker


def can_see_confidential(request):
    return may_see_confidential(request.user)


class SourceInline(admin.StackedInline):
    model = Source
    extra = 1
    fields = [("name", "published_on", "reliability"), "url", "confidential", "notes"]

    def get_queryset(self, request):
        # Each source links to its history: none that ever was confidential, without the permission.
        return super().get_queryset(request).history_visible_to(request.user)


class ClauseLinkInline(admin.TabularInline):
    model = ClauseLink
    extra = 0
    autocomplete_fields = ["clause"]
    fields = ["clause", "note", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]


class IncidentForm(forms.ModelForm):
    map = forms.CharField(label=_("Find on the map"), required=False, widget=MapPicker)

    class Meta:
        model = Incident
        fields = "__all__"
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_status(self):
        status = self.cleaned_data["status"]
        changed = self.instance.pk is None or self.instance.status != status
        if changed and status in REVIEWED_STATUSES and not self.user.has_perm("incidents.verify_incident"):
            raise forms.ValidationError(
                _(
                    "Only analysts can mark an incident verified, disputed or rejected. "
                    "Save it as draft or under review."
                )
            )
        return status

    def clean(self):
        cleaned = super().clean()
        self._fill_admin_areas(cleaned)
        return cleaned

    def _fill_admin_areas(self, cleaned):
        """Coordinates typed by hand (or set on the map) give the governorate and district too."""
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        moved = {"latitude", "longitude"} & set(self.changed_data)
        typed_by_user = {"admin1", "admin2"} & set(self.changed_data)
        if lat is None or lon is None or not moved or typed_by_user:
            return
        place = gazetteer.nearest(lat, lon)
        if place is not None:
            cleaned["admin1"], cleaned["admin2"] = place.admin1, place.admin2


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    form = IncidentForm
    list_display = [
        "when",
        "category",
        "place",
        "perpetrator",
        "actor_name",
        "actor_case",
        "killed_total",
        "status",
    ]
    list_filter = [
        "status",
        "category",
        "location_precision",
        "date_precision",
        "admin1",
        "source_dataset",
        "actor_case",
        "perpetrator",
    ]
    search_fields = [
        "place_name",
        "admin1",
        "admin2",
        "description",
        "external_id",
        "perpetrator__name",
        "perpetrator__name_ar",
        "actor_name",
    ]
    date_hierarchy = "occurred_at"
    autocomplete_fields = ["perpetrator"]
    list_select_related = ["perpetrator"]
    readonly_fields = ["actor_case", "created_by", "created_at", "updated_at"]
    inlines = [SourceInline, ClauseLinkInline]
    actions = ["mark_verified", "mark_under_review"]
    fieldsets = [
        (_("When"), {"fields": [("occurred_at", "date_precision"), "occurred_until"]}),
        (
            _("Where"),
            {
                "fields": [
                    "map",
                    "place_name",
                    ("admin1", "admin2"),
                    ("latitude", "longitude"),
                    "location_precision",
                ]
            },
        ),
        (
            _("What"),
            {
                "fields": [
                    "category",
                    ("perpetrator", "actor_name", "actor_case"),
                    "target_type",
                    "weapons",
                    "description",
                ]
            },
        ),
        (
            _("Casualties"),
            {
                "fields": [
                    ("killed_civilians", "killed_combatants", "killed_unknown"),
                    ("injured_civilians", "injured_combatants", "injured_unknown"),
                ]
            },
        ),
        (_("Review"), {"fields": ["status"]}),
        (
            _("Provenance"),
            {
                "classes": ["collapse"],
                "fields": [
                    ("source_dataset", "external_id"),
                    ("created_by", "created_at", "updated_at"),
                ],
            },
        ),
    ]

    def get_search_results(self, request, queryset, search_term):
        """A place name in Arabic also finds the incidents recorded with its Latin name."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if has_arabic(search_term):
            place = arabic_place_match(search_term)
            if place:
                found = found | queryset.filter(place)
        return found, may_have_duplicates

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("places/", view(self.places_view), name="incidents_incident_places"),
            path("areas/", view(self.areas_view), name="incidents_incident_areas"),
            *super().get_urls(),
        ]

    def places_view(self, request):
        """The offline gazetteer: `?q=Saraqeb` finds places by name, `?lat=&lon=` the nearest one."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if "q" in request.GET:
            return JsonResponse({"places": [p.as_dict() for p in gazetteer.search(request.GET["q"][:100])]})
        try:
            lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
        except (KeyError, ValueError):
            return JsonResponse({"error": _("Give q, or lat and lon.")}, status=400)
        place = gazetteer.nearest(lat, lon)
        return JsonResponse({"place": place.as_dict() if place else None})

    def areas_view(self, request):
        """Every agreement area as GeoJSON, for the map picker."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        features = [
            {
                "type": "Feature",
                "geometry": area.geometry,
                "properties": {"name": area.display_name, "buffer_km": float(area.buffer_km)},
            }
            for area in Area.objects.order_by("name")
        ]
        return JsonResponse({"type": "FeatureCollection", "features": features})

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestIncidentForm(form_class):
            def __init__(self, *args, **inner_kwargs):
                super().__init__(*args, user=request.user, **inner_kwargs)

        return RequestIncidentForm

    @admin.display(description=_("When"), ordering="occurred_at")
    def when(self, obj):
        """The time only when it is known: a day-precision incident is not at midnight."""
        moment = timezone.localtime(obj.occurred_at)
        if obj.date_precision == DatePrecision.EXACT:
            return date_format(moment, "DATETIME_FORMAT")
        if obj.date_precision == DatePrecision.DAY:
            return date_format(moment)
        return _("%(date)s (approx.)") % {"date": date_format(moment)}

    @admin.display(description=_("Place"), ordering="place_name")
    def place(self, obj):
        parts = (obj.display_place if obj.place_name else "", gazetteer.display_name(obj.admin1))
        return _(", ").join(part for part in parts if part) or "-"

    @admin.display(description=_("Killed"), ordering="killed_civilians")
    def killed_total(self, obj):
        return obj.killed

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ClauseLink) and instance.pk is None:
                instance.created_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def _set_status(self, request, queryset, status):
        # Saved one by one so that history records who changed what, and the engine re-evaluates.
        changed = 0
        for incident in queryset.exclude(status=status):
            incident.status = status
            incident._change_reason = f"Bulk action: {status}"  # history's record, kept in English
            incident.save(update_fields=["status", "updated_at"])
            changed += 1
        message = ngettext(
            "%(count)d incident marked %(status)s.", "%(count)d incidents marked %(status)s.", changed
        ) % {"count": changed, "status": IncidentStatus(status).label.lower()}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Mark selected incidents verified"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        self._set_status(request, queryset, IncidentStatus.VERIFIED)

    @admin.action(description=_("Mark selected incidents under review"), permissions=["change"])
    def mark_under_review(self, request, queryset):
        self._set_status(request, queryset, IncidentStatus.UNDER_REVIEW)

    def has_verify_permission(self, request):
        return request.user.has_perm("incidents.verify_incident")


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    """Sources on their own, mostly for their change history; confidential ones only with the permission."""

    list_display = ["name", "incident", "published_on", "reliability", "confidential"]
    list_filter = ["reliability", "confidential"]
    search_fields = ["name", "url", "notes"]
    autocomplete_fields = ["incident"]
    list_select_related = ["incident"]

    def get_queryset(self, request):
        return super().get_queryset(request).history_visible_to(request.user)

    def _check_visible(self, request, object_id):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404(_("No such source."))

    def history_view(self, request, object_id, extra_context=None):
        self._check_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_list_filter(self, request):
        return self.list_filter if can_see_confidential(request) else ["reliability"]
