from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agreements.models import Party
from core.exceptions import StateConflict
from incidents.admin import IncidentAdmin
from incidents.choices import ActorDecisionKind
from incidents.models import ActorDecision, Incident

from . import actors
from .choices import ViolationStatus
from .models import JobRun, Violation
from .services import review_violation

REVIEW_CHOICES = {ViolationStatus.CONFIRMED: _("Confirm"), ViolationStatus.DISMISSED: _("Dismiss")}


def can_review(request):
    return request.user.has_perm("tracker.review_violation")


class IncidentListFilter(admin.SimpleListFilter):
    """The violations of one incident (`?incident=<id>`), as linked from the incident's page."""

    title = _("incident")
    parameter_name = "incident"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value or not value.isdigit():
            return []
        incident = Incident.objects.filter(pk=value).first()
        return [(value, str(incident))] if incident else []

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(incident_id=value) if value and value.isdigit() else queryset


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ["incident_day", "incident", "clause_brief", "confidence", "status", "reviewed"]
    list_display_links = ["incident"]
    list_filter = ["status", "confidence", "clause__agreement", "clause__kind", IncidentListFilter]
    search_fields = [
        "incident__place_name",
        "incident__description",
        "clause__title",
        "clause__title_ar",
        "clause__agreement__title",
        "clause__agreement__title_ar",
    ]
    date_hierarchy = "flagged_at"
    list_select_related = ["incident__perpetrator", "clause__agreement", "reviewed_by"]
    readonly_fields = [
        "incident",
        "clause",
        "confidence",
        "reasons_display",
        "flagged_at",
        "updated_at",
        "reviewed_by",
        "reviewed_at",
        "status",
    ]
    fields = [
        "incident",
        "clause",
        "confidence",
        "reasons_display",
        "status",
        "flagged_at",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "updated_at",
    ]
    actions = ["confirm", "dismiss"]

    @admin.display(description=_("Date"), ordering="incident__occurred_at")
    def incident_day(self, violation):
        return date_format(timezone.localtime(violation.incident.occurred_at))

    @admin.display(description=_("reasons"))
    def reasons_display(self, violation):
        return _(", ").join(violation.display_reasons) or "-"

    @admin.display(description=_("Clause"), ordering="clause__agreement__slug")
    def clause_brief(self, violation):
        clause = violation.clause
        return format_html('<span title="{}">{} §{}</span>', clause, clause.agreement.slug, clause.number)

    @admin.display(description=_("Reviewed"), ordering="reviewed_at")
    def reviewed(self, violation):
        if not violation.reviewed_at:
            return "-"
        return _("%(who)s, %(date)s") % {
            "who": violation.reviewed_by or _("someone"),
            "date": date_format(timezone.localtime(violation.reviewed_at)),
        }

    def has_add_permission(self, request):
        return False  # violations come from the engine; staff log incidents against clauses instead

    def _review(self, request, queryset, status):
        done = 0
        for violation_id in queryset.values_list("id", flat=True):
            try:
                review_violation(violation_id, status=status, user=request.user)
                done += 1
            except StateConflict as exc:
                self.message_user(
                    request,
                    _("Violation %(id)s: %(error)s") % {"id": violation_id, "error": exc},
                    messages.WARNING,
                )
        message = ngettext("%(count)d violation %(status)s.", "%(count)d violations %(status)s.", done) % {
            "count": done,
            "status": ViolationStatus(status).label.lower(),
        }
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Confirm selected violations"), permissions=["review"])
    def confirm(self, request, queryset):
        self._review(request, queryset, ViolationStatus.CONFIRMED)

    @admin.action(description=_("Dismiss selected violations (never re-flagged)"), permissions=["review"])
    def dismiss(self, request, queryset):
        self._review(request, queryset, ViolationStatus.DISMISSED)

    def has_review_permission(self, request):
        return can_review(request)

    def get_urls(self):
        review = self.admin_site.admin_view(require_POST(self.review_view))
        return [
            path("<int:violation_id>/review/", review, name="tracker_violation_review"),
            *super().get_urls(),
        ]

    def review_view(self, request, violation_id):
        """Confirm or dismiss one violation (the buttons on the incident's page), then go back."""
        if not can_review(request):
            raise PermissionDenied
        status = request.POST.get("review")
        if status not in REVIEW_CHOICES:
            return HttpResponseBadRequest(_("Say confirmed or dismissed."))
        try:
            violation = review_violation(violation_id, status=status, user=request.user)
        except StateConflict as exc:
            self.message_user(request, str(exc), messages.WARNING)
        else:
            self.message_user(
                request,
                _("%(clause)s: %(status)s.")
                % {"clause": violation.clause, "status": violation.get_status_display().lower()},
                messages.SUCCESS,
            )
        back = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:tracker_violation_change", args=[violation_id])
        return HttpResponseRedirect(back)


# The names of the counts and parameters the jobs record (tracker.services), as the admin shows them.
JOB_WORDS = {
    "incidents": _("incidents"),
    "clauses": _("clauses"),
    "created": _("created"),
    "reflagged": _("flagged again"),
    "updated": _("updated"),
    "withdrawn": _("withdrawn"),
    "changed_clauses": _("changed clauses"),
    "missed": _("missed"),
    "due_soon": _("due soon"),
    "no_longer_due_soon": _("no longer due soon"),
    "since": _("since"),
    "at": _("at"),
    "due_soon_days": _("due soon days"),
    "incident_ids": _("incident ids"),
    "clause_ids": _("clause ids"),
}


def _readable(values):
    """A job's counts or parameters as `missed 2 · due soon 1`, not raw JSON."""
    if not values:
        return "-"
    return " · ".join(f"{JOB_WORDS.get(key, key.replace('_', ' '))} {value}" for key, value in values.items())


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "started_at", "took", "what_it_did"]
    list_filter = ["kind", "status"]
    date_hierarchy = "started_at"
    fields = [
        "kind",
        "status",
        "started_at",
        "finished_at",
        "duration",
        "with_parameters",
        "what_it_did",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Took"))
    def took(self, run):
        return (
            _("%(seconds)s s") % {"seconds": number_format(run.duration.total_seconds(), 1)}
            if run.duration
            else "-"
        )

    @admin.display(description=_("What it did"))
    def what_it_did(self, run):
        return _readable(run.counts)

    @admin.display(description=_("Parameters"))
    def with_parameters(self, run):
        return _readable(run.parameters)


class IncidentDeskAdmin(IncidentAdmin):
    """The incident's page with what the engine found (registered here: incidents may not import tracker)."""

    change_form_template = "tracker/admin/incident_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **self.violations_context(request, object_id)}
        return super().change_view(request, object_id, form_url, extra_context)

    def violations_context(self, request, object_id):
        if not request.user.has_perm("tracker.view_violation") or not str(object_id).isdigit():
            return {}
        violations = (
            Violation.objects.filter(incident_id=object_id)
            .select_related("clause__agreement", "reviewed_by")
            .order_by("clause__agreement__title", "clause_id")
        )
        back = reverse("admin:incidents_incident_change", args=[object_id])
        reviewer = can_review(request)
        return {
            "violations": [
                {
                    "violation": v,
                    "review_url": reverse("admin:tracker_violation_review", args=[v.pk]) + f"?next={back}",
                    "reviews": [
                        (status, label)
                        for status, label in REVIEW_CHOICES.items()
                        if reviewer and v.status not in (status, ViolationStatus.WITHDRAWN)
                    ],
                }
                for v in violations
            ],
            "violations_list_url": reverse("admin:tracker_violation_changelist")
            + f"?incident__id__exact={object_id}",
        }


admin.site.unregister(Incident)
admin.site.register(Incident, IncidentDeskAdmin)


@admin.register(ActorDecision)
class ActorDecisionAdmin(admin.ModelAdmin):
    """The decisions taken in actor triage (the page linked from here); imports apply them."""

    change_list_template = "tracker/admin/actordecision_change_list.html"
    list_display = ["name", "kind", "party", "decided_by", "decided_at"]
    list_filter = ["kind"]
    search_fields = ["name", "party__name", "party__name_ar"]
    list_select_related = ["party", "decided_by"]

    def has_add_permission(self, request):
        return False  # decisions are taken in triage, which re-evaluates the incidents

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        triage = self.admin_site.admin_view(self.triage_view)
        return [path("triage/", triage, name="incidents_actordecision_triage"), *super().get_urls()]

    def triage_view(self, request):
        """The named, unregistered actors, most frequent first, and a decision for each."""
        if not request.user.has_perm("incidents.view_actordecision"):
            raise PermissionDenied
        can_decide = request.user.has_perm("incidents.add_actordecision")
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            return self._decide(request)
        context = {
            **self.admin_site.each_context(request),
            "actors": actors.named_actors(),
            "parties": Party.objects.order_by("name"),
            "can_decide": can_decide,
        }
        return TemplateResponse(request, "tracker/admin/actor_triage.html", context)

    def _decide(self, request):
        name, kind = request.POST.get("name", "").strip(), request.POST.get("kind")
        party = Party.objects.filter(pk=request.POST.get("party") or None).first()
        if (
            not name
            or kind not in ActorDecisionKind.values
            or (kind == ActorDecisionKind.PARTY) != bool(party)
        ):
            self.message_user(
                request, _("Give a name, a decision and (only to map it) a party."), messages.ERROR
            )
        else:
            decision = actors.decide(name, kind, party=party, user=request.user)
            self.message_user(
                request,
                _("%(decision)s: its incidents are being re-evaluated.") % {"decision": decision},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:incidents_actordecision_triage"))
