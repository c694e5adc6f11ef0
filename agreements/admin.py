import json

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Agreement, AgreementLink, AgreementParty, Area, Clause, Deadline, Party, PartyAlias


class PartyAliasInline(admin.TabularInline):
    model = PartyAlias
    extra = 1


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_ar", "short_name", "kind", "alias_list"]
    list_filter = ["kind"]
    search_fields = ["name", "name_ar", "short_name", "short_name_ar", "aliases__name"]
    inlines = [PartyAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description=_("Also known as"))
    def alias_list(self, obj):
        return ", ".join(alias.name for alias in obj.aliases.all())


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 1
    autocomplete_fields = ["party"]


class AgreementLinkInline(admin.TabularInline):
    model = AgreementLink
    extra = 0


class ClauseInline(admin.TabularInline):
    """One line per clause: its text, parties, areas and dates are edited on the clause's own page
    ("Change" link), so an agreement of ten clauses fits a screen."""

    model = Clause
    extra = 0
    show_change_link = True
    fields = ["number", "title", "title_ar", "kind"]
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 60})}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "number":
            kwargs["widget"] = forms.TextInput(attrs={"size": 5})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class DeadlineInline(admin.TabularInline):
    """Deadlines in brief; the due time, when it was met and the evidence are on the deadline's page."""

    model = Deadline
    extra = 0
    show_change_link = True
    fields = ["clause", "description", "description_ar", "due_date", "extended_to", "status"]
    autocomplete_fields = ["clause"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = forms.TextInput(attrs={"size": 45})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "title_ar", "slug", "signed_on", "status", "in_force_from", "in_force_until"]
    list_filter = ["status", "parties"]
    search_fields = ["title", "title_ar", "slug", "summary"]
    date_hierarchy = "signed_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["areas"]
    inlines = [AgreementPartyInline, AgreementLinkInline, ClauseInline, DeadlineInline]
    fieldsets = [
        (None, {"fields": ["title", "title_ar", "slug", "status", "summary", "text"]}),
        (_("Dates"), {"fields": ["signed_on", ("in_force_from", "in_force_until"), "timezone"]}),
        (_("Where"), {"fields": ["areas"]}),
    ]


class AreaForm(forms.ModelForm):
    geometry = forms.JSONField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90, "style": "font-family: monospace"}),
        label=capfirst(Area._meta.get_field("geometry").verbose_name),
        help_text=Area._meta.get_field("geometry").help_text,
    )

    class Meta:
        model = Area
        fields = "__all__"


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    form = AreaForm
    list_display = ["name", "name_ar", "slug", "geometry_type", "buffer_km"]
    search_fields = ["name", "name_ar", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["bounding_box"]

    @admin.display(description=_("Type"))
    def geometry_type(self, obj):
        return (obj.geometry or {}).get("type", "")

    @admin.display(description=_("Bounding box with buffer (lon/lat)"))
    def bounding_box(self, obj):
        if not obj.pk:
            return "-"
        return json.dumps([round(v, 4) for v in (obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat)])


class ClauseDeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0
    fields = [
        "description",
        "description_ar",
        "due_date",
        "due_time",
        "extended_to",
        "status",
        "met_at",
        "evidence",
    ]


@admin.register(Clause)
class ClauseAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "agreement", "in_force_from", "in_force_until"]
    list_filter = ["kind", "agreement"]
    search_fields = [
        "number",
        "title",
        "title_ar",
        "text",
        "agreement__title",
        "agreement__title_ar",
        "agreement__slug",
    ]
    autocomplete_fields = ["agreement", "obligated_parties", "areas"]
    list_select_related = ["agreement"]

    def get_inlines(self, request, obj):
        return [ClauseDeadlineInline] if obj else []


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = [
        "description",
        "description_ar",
        "agreement",
        "clause",
        "due_date",
        "extended_to",
        "status",
        "due_at",
        "due_soon",
    ]
    list_filter = ["status", "due_soon", "agreement"]
    search_fields = [
        "description",
        "description_ar",
        "evidence",
        "agreement__title",
        "agreement__title_ar",
        "clause__title",
        "clause__title_ar",
    ]
    date_hierarchy = "due_date"
    autocomplete_fields = ["agreement", "clause"]
    readonly_fields = ["due_at", "missed_at", "due_soon"]
    list_select_related = ["agreement", "clause__agreement"]
