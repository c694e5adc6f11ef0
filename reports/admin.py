"""Admin for report subscriptions, stored reports and their delivery."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from . import services
from .choices import DeliveryStatus, ReportFormat
from .formatting import day
from .models import CONFIDENTIAL_PERMISSION, Report, ReportDelivery, ReportSubscription

# The admin index links to the compliance dashboards.
admin.site.index_template = "reports/admin/index.html"


class ReportSubscriptionForm(forms.ModelForm):
    class Meta:
        model = ReportSubscription
        fields = [
            "name",
            "agreement",
            "frequency",
            "language",
            "recipients",
            "formats",
            "include_confidential",
            "active",
        ]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("include_confidential") or (
            self.user and self.user.has_perm(CONFIDENTIAL_PERMISSION)
        ):
            return cleaned
        was = self.instance.include_confidential if self.instance.pk else False
        if not was:
            self.add_error(
                "include_confidential",
                _("Only staff allowed to see confidential sources can send them in reports."),
            )
        elif {"recipients", "agreement"} & set(self.changed_data):
            # Otherwise anyone could redirect a confidential report to new readers.
            self.add_error(
                "recipients",
                _(
                    "This subscription sends confidential sources: only staff allowed to see them may change "
                    "its recipients or agreement (or turn confidential sources off first)."
                ),
            )
        return cleaned


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    form = ReportSubscriptionForm
    list_display = [
        "name",
        "agreement_or_all",
        "frequency",
        "language",
        "active",
        "include_confidential",
        "next_due_at",
        "last_report",
    ]
    list_filter = ["active", "frequency", "language", "include_confidential", "agreement"]
    search_fields = ["name", "recipients", "agreement__title", "agreement__title_ar", "agreement__slug"]
    autocomplete_fields = []
    readonly_fields = ["confidential_approved_by", "next_due_at", "created_at", "updated_at"]
    actions = ["generate_now"]

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class FormWithUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormWithUser

    def save_model(self, request, obj, form, change):
        if "include_confidential" in form.changed_data:
            obj.confidential_approved_by = request.user if obj.include_confidential else None
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("agreement"), ordering="agreement__title")
    def agreement_or_all(self, obj):
        return obj.agreement or _("All agreements")

    @admin.display(description=gettext_lazy("last report"))
    def last_report(self, obj):
        report = obj.reports.order_by("-period_start").first()
        if report is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reports_report_change", args=[report.pk]),
            _("%(start)s to %(end)s") % {"start": day(report.period_start), "end": day(report.period_end)},
        )

    @admin.action(description=gettext_lazy("Generate now: build and send the last complete period"))
    def generate_now(self, request, queryset):
        now = timezone.now()
        for subscription in queryset.select_related("agreement", "confidential_approved_by"):
            try:
                report, created, status = services.generate_now(subscription, now=now)
            except Exception as exc:  # shown to the user, who can fix the subscription
                self.message_user(
                    request,
                    _("%(subscription)s: the report failed: %(error)s")
                    % {"subscription": subscription, "error": exc},
                    messages.ERROR,
                )
                continue
            period = {"subscription": subscription, "start": report.period_start, "end": report.period_end}
            if created:
                built = {
                    DeliveryStatus.SENT: _("%(subscription)s: built %(start)s to %(end)s and sent."),
                    DeliveryStatus.FAILED: _(
                        "%(subscription)s: built %(start)s to %(end)s but sending failed (will retry)."
                    ),
                }.get(status, _("%(subscription)s: built %(start)s to %(end)s."))
                self.message_user(
                    request,
                    built % period,
                    messages.SUCCESS if status != DeliveryStatus.FAILED else messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    _(
                        "%(subscription)s: the report for %(start)s to %(end)s already exists (delivery "
                        "%(delivery)s); reports are built once per period."
                    )
                    % {**period, "delivery": report.delivery.get_status_display().lower()},
                    messages.INFO,
                )


class ReportDeliveryInline(admin.StackedInline):
    model = ReportDelivery
    can_delete = False
    extra = 0
    fields = [
        "status",
        "attempts",
        "recipients",
        "formats",
        "claimed_at",
        "sent_at",
        "next_attempt_at",
        "last_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "subscription",
        "period_start",
        "period_end",
        "generated_at",
        "delivery_status",
        "downloads",
    ]
    list_filter = ["frequency", "language", "agreement", "include_confidential", "delivery__status"]
    search_fields = ["title", "subscription__name"]
    date_hierarchy = "period_start"
    list_select_related = ["subscription", "delivery"]
    fields = [
        "title",
        "subscription",
        "agreement",
        "frequency",
        "language",
        "period_start",
        "period_end",
        "timezone",
        "include_confidential",
        "generated_at",
        "downloads",
        "preview",
    ]
    readonly_fields = fields
    inlines = [ReportDeliveryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # reports are records; deactivate the subscription instead

    @admin.display(description=gettext_lazy("delivery"), ordering="delivery__status")
    def delivery_status(self, obj):
        delivery = getattr(obj, "delivery", None)
        return delivery.get_status_display() if delivery else "-"

    @admin.display(description=gettext_lazy("download"))
    def downloads(self, obj):
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:reports_report_download", args=[obj.pk, fmt]), label)
                for fmt, label in ReportFormat.choices
            ),
        )

    @admin.display(description=pgettext_lazy("preview", "report"))
    def preview(self, obj):
        return format_html(
            '<iframe src="{}" style="width:100%;height:40rem;border:1px solid #ccc" sandbox></iframe>',
            reverse("admin:reports_report_download", args=[obj.pk, ReportFormat.HTML]) + "?inline=1",
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/<str:fmt>/",
                self.admin_site.admin_view(self.download),
                name="reports_report_download",
            ),
        ] + super().get_urls()

    def download(self, request, pk, fmt):
        report = get_object_or_404(Report, pk=pk)
        if not self.has_view_permission(request, report) or not report.readable_by(request.user):
            raise PermissionDenied
        if fmt not in ReportFormat.values:
            raise PermissionDenied
        body, content_type, filename = report.content(fmt)
        response = HttpResponse(body, content_type=content_type)
        disposition = "inline" if request.GET.get("inline") else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        if disposition == "inline":
            response["X-Frame-Options"] = "SAMEORIGIN"  # the report's own change page frames it as a preview
        return response


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ["report", "status", "attempts", "sent_at", "next_attempt_at", "last_error"]
    list_filter = ["status"]
    list_select_related = ["report"]
    readonly_fields = [
        "report",
        "recipients",
        "formats",
        "status",
        "attempts",
        "claimed_at",
        "sent_at",
        "next_attempt_at",
        "last_error",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Retry failed deliveries now"))
    def retry_now(self, request, queryset):
        now = timezone.now()
        ids = list(queryset.filter(status=DeliveryStatus.FAILED).values_list("id", flat=True))
        # Compare-and-set: only deliveries still failed are rescheduled.
        ReportDelivery.objects.filter(id__in=ids, status=DeliveryStatus.FAILED).update(next_attempt_at=now)
        results = [services.deliver(delivery_id, now=now) for delivery_id in ids]
        sent = sum(r == DeliveryStatus.SENT for r in results)
        self.message_user(
            request, _("%(sent)s of %(failed)s failed deliveries sent.") % {"sent": sent, "failed": len(ids)}
        )
