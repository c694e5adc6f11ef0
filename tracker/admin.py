from django.contrib import admin, messages

from core.exceptions import StateConflict

from .choices import ViolationStatus
from .models import JobRun, Violation
from .services import review_violation


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ["incident", "clause", "confidence", "status", "flagged_at", "reviewed_by", "reviewed_at"]
    list_filter = ["status", "confidence", "clause__agreement", "clause__kind"]
    search_fields = [
        "incident__place_name",
        "incident__description",
        "clause__title",
        "clause__agreement__title",
    ]
    date_hierarchy = "flagged_at"
    list_select_related = ["incident__perpetrator", "clause__agreement", "reviewed_by"]
    readonly_fields = [
        "incident",
        "clause",
        "confidence",
        "reasons",
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
        "reasons",
        "status",
        "flagged_at",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "updated_at",
    ]
    actions = ["confirm", "dismiss"]

    def has_add_permission(self, request):
        return False  # violations come from the engine; staff log incidents against clauses instead

    def _review(self, request, queryset, status):
        done = 0
        for violation_id in queryset.values_list("id", flat=True):
            try:
                review_violation(violation_id, status=status, user=request.user)
                done += 1
            except StateConflict as exc:
                self.message_user(request, f"Violation {violation_id}: {exc}", messages.WARNING)
        self.message_user(request, f"{done} violation(s) {status}.", messages.SUCCESS)

    @admin.action(description="Confirm selected violations", permissions=["review"])
    def confirm(self, request, queryset):
        self._review(request, queryset, ViolationStatus.CONFIRMED)

    @admin.action(description="Dismiss selected violations (never re-flagged)", permissions=["review"])
    def dismiss(self, request, queryset):
        self._review(request, queryset, ViolationStatus.DISMISSED)

    def has_review_permission(self, request):
        return request.user.has_perm("tracker.review_violation")


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "started_at", "finished_at", "duration", "counts"]
    list_filter = ["kind", "status"]
    date_hierarchy = "started_at"
    readonly_fields = ["kind", "status", "started_at", "finished_at", "parameters", "counts", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
