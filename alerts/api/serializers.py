from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from agreements.models import Agreement, Area, Clause, Party

from ..choices import AlertEvent, Channel
from ..models import AlertDelivery, AlertRule
from ..payloads import SCHEMA


class AlertRuleSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        required=False,
        help_text="Defaults to you. Alerts carry only what the owner may read.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=AlertEvent.choices), allow_empty=False
    )
    agreements = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Agreement.objects.all(), required=False
    )
    clauses = serializers.PrimaryKeyRelatedField(many=True, queryset=Clause.objects.all(), required=False)
    parties = serializers.PrimaryKeyRelatedField(many=True, queryset=Party.objects.all(), required=False)
    areas = serializers.PrimaryKeyRelatedField(many=True, queryset=Area.objects.all(), required=False)
    recipients = serializers.PrimaryKeyRelatedField(
        many=True, queryset=get_user_model().objects.all(), required=False
    )

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "name",
            "owner",
            "active",
            "events",
            "min_confidence",
            "due_within_days",
            "agreements",
            "clauses",
            "parties",
            "areas",
            "channel",
            "recipients",
            "emails",
            "webhook_url",
            "secret",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["secret", "created_at", "updated_at"]

    def validate(self, attrs):
        rule = AlertRule(
            **{
                "channel": Channel.EMAIL,
                **(
                    {"channel": self.instance.channel, "webhook_url": self.instance.webhook_url}
                    if self.instance
                    else {}
                ),
                **{k: v for k, v in attrs.items() if k in ("channel", "webhook_url")},
            }
        )
        try:
            rule.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        if "owner" not in attrs and self.instance is None:
            attrs["owner"] = self.context["request"].user
        return attrs


class WebhookItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The violation's, deadline's or import job's id.")


class WebhookRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WebhookPayloadSerializer(serializers.Serializer):
    """The JSON body of a webhook request, schema `tracker.alert.v1` (docs/alerts.md)."""

    schema = serializers.ChoiceField(choices=[SCHEMA], help_text="The payload's schema and version.")
    event_id = serializers.UUIDField(
        help_text="Unique per delivery (rule and recipient); the same on a retry: drop repeats by it."
    )
    event = serializers.ChoiceField(choices=[*AlertEvent.values, "test"])
    alert_id = serializers.UUIDField(help_text="The alert, shared by the deliveries of all rules.")
    occurred_at = serializers.DateTimeField()
    test = serializers.BooleanField(help_text="Sent by the rule's 'send a test' action; no items.")
    rule = WebhookRuleSerializer()
    count = serializers.IntegerField(help_text="How many items the alert has in all.")
    truncated = serializers.BooleanField(help_text="True if `items` lists only the first ALERTS_MAX_ITEMS.")
    items = serializers.ListField(
        child=serializers.DictField(),
        help_text="Violations (with their incident and the sources the rule's owner may see), "
        "deadlines or import jobs, as `event` says; see docs/alerts.md.",
    )


class AlertDeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="alert.event", read_only=True)
    alert_id = serializers.UUIDField(source="alert.event_id", read_only=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = AlertDelivery
        fields = [
            "id",
            "event_id",
            "alert_id",
            "event",
            "rule",
            "channel",
            "recipient",
            "items",
            "status",
            "attempts",
            "next_attempt_at",
            "give_up_at",
            "sent_at",
            "response_status",
            "last_error",
            "created_at",
        ]
        read_only_fields = fields

    def get_items(self, delivery) -> int:
        return len(delivery.object_ids)
