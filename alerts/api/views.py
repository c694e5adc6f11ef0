from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.exceptions import Conflict
from core.api.viewsets import TrackerModelViewSet, TrackerReadOnlyModelViewSet
from core.tasks import enqueue_on_commit

from .. import filtersets, services, tasks
from ..models import AlertDelivery, AlertRule
from ..payloads import build_payload
from . import serializers


class AlertRuleViewSet(TrackerModelViewSet):
    """Alert rules (Coordinators). `send-test` sends a test alert to every recipient of the rule."""

    public_readable = False
    queryset = AlertRule.objects.select_related("owner").prefetch_related(
        "agreements", "clauses", "parties", "areas", "recipients"
    )
    serializer_class = serializers.AlertRuleSerializer
    filterset_class = filtersets.AlertRuleFilterSet
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    action_permissions = {"send_test": ["alerts.view_alertrule", "alerts.change_alertrule"]}

    @extend_schema(
        request=None,
        responses={202: serializers.AlertDeliverySerializer(many=True)},
        description="Send a test alert (event `test`, no items) to every recipient of the rule.",
    )
    @action(detail=True, methods=["post"], url_path="send-test", filter_backends=[])
    def send_test(self, request, pk=None):
        alert = services.send_test(self.get_object(), now=timezone.now())
        enqueue_on_commit(tasks.send_alert, alert.id)
        deliveries = AlertDelivery.objects.filter(alert=alert).select_related("alert")
        return Response(
            serializers.AlertDeliverySerializer(deliveries, many=True).data, status=status.HTTP_202_ACCEPTED
        )


class AlertDeliveryViewSet(TrackerReadOnlyModelViewSet):
    """Each rule's delivery log (filter `rule`); `send-again` re-sends a sent or failed delivery."""

    public_readable = False
    queryset = AlertDelivery.objects.select_related("alert")
    serializer_class = serializers.AlertDeliverySerializer
    filterset_class = filtersets.AlertDeliveryFilterSet
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    action_permissions = {"send_again": ["alerts.view_alertdelivery", "alerts.change_alertdelivery"]}

    @extend_schema(
        request=None,
        responses={202: serializers.AlertDeliverySerializer},
        description="Send a sent or failed delivery again (same event_id). 409 while it is pending or sending.",
    )
    @action(detail=True, methods=["post"], url_path="send-again", filter_backends=[])
    def send_again(self, request, pk=None):
        delivery = self.get_object()
        if not services.send_again(delivery.pk, now=timezone.now()):
            raise Conflict("This delivery is waiting or being sent already.")
        enqueue_on_commit(tasks.deliver, delivery.pk)
        delivery.refresh_from_db()
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={200: serializers.WebhookPayloadSerializer},
        description="The webhook payload of this delivery, schema tracker.alert.v1, as it would be sent now.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def payload(self, request, pk=None):
        # Confidential sources only if the caller, too, may see them.
        return Response(build_payload(self.get_object(), also_for=request.user))
