"""Admin for alert rules (with "send a test") and their delivery log (with "send again")."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.tasks import enqueue_on_commit

from . import services, tasks
from .choices import AlertEvent
from .models import AlertDelivery, AlertRule


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = "__all__"
        widgets = {"emails": forms.Textarea(attrs={"rows": 3})}


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    list_display = ["name", "owner", "channel", "events", "active", "delivery_log"]
    list_filter = ["active", "channel"]
    search_fields = ["name", "webhook_url", "emails"]
    autocomplete_fields = ["agreements", "clauses", "parties", "areas", "recipients"]
    readonly_fields = ["secret", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "owner", "active", "events", "min_confidence", "due_within_days"]}),
        (
            gettext_lazy("Which records (empty: all)"),
            {"fields": ["agreements", "clauses", "parties", "areas"]},
        ),
        (gettext_lazy("Delivery"), {"fields": ["channel", "recipients", "emails", "webhook_url", "secret"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["send_test"]

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description=gettext_lazy("deliveries"))
    def delivery_log(self, rule):
        url = reverse("admin:alerts_alertdelivery_changelist") + f"?rule__id__exact={rule.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Delivery log"))

    @admin.action(
        description=gettext_lazy("Send a test alert to the selected rules' recipients"),
        permissions=["change"],
    )
    def send_test(self, request, queryset):
        for rule in queryset:
            alert = services.send_test(rule, now=timezone.now())
            enqueue_on_commit(tasks.send_alert, alert.id)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Test alerts queued for %(count)s rule.", "Test alerts queued for %(count)s rules.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rule", "event", "recipient", "items", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "rule"]
    list_select_related = ["rule", "alert"]
    search_fields = ["recipient", "event_id", "rule__name"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.display(description=gettext_lazy("event"))
    def event(self, delivery):
        event = delivery.alert.event
        return AlertEvent(event).label if event in AlertEvent.values else _("Test alert")

    @admin.display(description=gettext_lazy("items"))
    def items(self, delivery):
        return len(delivery.object_ids)

    @admin.action(description=gettext_lazy("Send the selected deliveries again"), permissions=["change"])
    def send_again(self, request, queryset):
        now, again = timezone.now(), 0
        for delivery_id in queryset.values_list("id", flat=True):
            if services.send_again(delivery_id, now=now):
                enqueue_on_commit(tasks.deliver, delivery_id)
                again += 1
        self.message_user(
            request,
            ngettext(
                "%(count)s delivery queued again (waiting or sending ones are left alone).",
                "%(count)s deliveries queued again (waiting or sending ones are left alone).",
                again,
            )
            % {"count": again},
            messages.SUCCESS,
        )
