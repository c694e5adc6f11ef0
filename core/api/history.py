"""`GET <resource>/{id}/history/`: a record's change history (django-simple-history), as the
admin's history page shows it: who changed what and when, newest first, each record with the
fields it changed (old and new values, from `diff_against`).

Needs the model's `view_` permission, like the detail endpoint; never public (earlier versions
of a verified incident were not verified). A history holds only the model's own fields: an
incident's history says nothing of its sources.
"""

import datetime as dt
import decimal

from django.db.models import Q
from django.forms.models import model_to_dict
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.settings import api_settings
from simple_history import utils as history_utils

from .pagination import CursorPagination

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name, as in the resource.")
    old = serializers.JSONField(allow_null=True, help_text="Its value before (null in a `created` record).")
    new = serializers.JSONField(allow_null=True, help_text="Its value after.")


class HistoryRecordSerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.ChoiceField(choices=list(HISTORY_TYPES.values()))
    history_user = serializers.CharField(allow_null=True, help_text="Username of who made the change.")
    history_change_reason = serializers.CharField(allow_null=True)
    changes = HistoryChangeSerializer(
        many=True,
        help_text="The fields this change set, with their old and new values (ids for related "
        "records, sorted lists of ids for many-to-many fields); every field for `created`.",
    )


class SourceHistoryRecordSerializer(HistoryRecordSerializer):
    source = serializers.IntegerField(source="id", help_text="The source's id.")


class HistoryPagination(CursorPagination):
    ordering = ("-history_date", "-history_id")


def _plain(value):
    """A history value as JSON, like the API writes it (date-times in UTC with `Z`)."""
    if isinstance(value, dt.datetime):
        text = value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _m2m_ids(record, field_name, rows):
    """Many-to-many rows of a history record ([{"clause": 1, "area": 2}, ...]) as sorted ids."""
    field = record.instance_type._meta.get_field(field_name)
    related = history_utils.get_m2m_reverse_field_name(field)
    return sorted(row[related] for row in rows)


def _changes(record, older):
    if older is None or record.history_type == "+":
        return _initial_values(record)
    m2m = {field.name for field in record._history_m2m_fields}
    changes = []
    for change in record.diff_against(older).changes:
        if change.field in m2m:
            old, new = _m2m_ids(record, change.field, change.old), _m2m_ids(record, change.field, change.new)
        else:
            old, new = _plain(change.old), _plain(change.new)
        changes.append({"field": change.field, "old": old, "new": new})
    return changes


def _initial_values(record):
    """Every field diff_against compares, with its first value."""
    m2m = [field.name for field in record._history_m2m_fields]
    names = sorted({field.name for field in record.tracked_fields if field.editable} - set(m2m))
    values = model_to_dict(record, fields=names)
    changes = [{"field": name, "old": None, "new": _plain(values.get(name))} for name in names]
    for name in m2m:
        field = record.instance_type._meta.get_field(name)
        related = history_utils.get_m2m_reverse_field_name(field)
        ids = sorted(getattr(record, name).values_list(related, flat=True))
        changes.append({"field": name, "old": None, "new": ids})
    return sorted(changes, key=lambda change: change["field"])


def _older_record(record):
    """The record of the same object just before this one (None for the first)."""
    return (
        type(record)
        .objects.filter(id=record.id)
        .filter(
            Q(history_date__lt=record.history_date)
            | Q(history_date=record.history_date, history_id__lt=record.history_id)
        )
        .order_by("-history_date", "-history_id")
        .first()
    )


def history_entries(page):
    """The page's records (newest first), each with its changes against the object's record
    before it: the next one of the same object on the page, else one query."""
    entries = []
    for index, record in enumerate(page):
        older = None
        if record.history_type != "+":
            later = (r for r in page[index + 1 :] if r.id == record.id)
            older = next(later, None) or _older_record(record)
        entries.append(
            {
                "id": record.id,
                "history_id": record.history_id,
                "history_date": record.history_date,
                "history_type": HISTORY_TYPES.get(record.history_type, record.history_type),
                "history_user": record.history_user.username if record.history_user else None,
                "history_change_reason": record.history_change_reason,
                "changes": _changes(record, older),
            }
        )
    return entries


def history_page(view, records, serializer_class=None):
    """A paginated response of `records` (a history queryset), newest first."""
    records = records.select_related("history_user").order_by("-history_date", "-history_id")
    page = view.paginate_queryset(records)
    data = (serializer_class or HistoryRecordSerializer)(history_entries(page), many=True).data
    return view.get_paginated_response(data)


def history_action(**kwargs):
    """A read-only detail action answering history records: paginated, JSON, never public."""
    return action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=HistoryPagination,
        renderer_classes=api_settings.DEFAULT_RENDERER_CLASSES,
        public_readable=False,
        **kwargs,
    )


class HistoryViewSetMixin:
    """Adds the read-only `history` action to a viewset of a model with `history`."""

    @extend_schema(
        responses={200: HistoryRecordSerializer(many=True)},
        description="The record's change history, newest first: who changed it, when, why, and "
        "which fields went from which value to which. Needs the model's view permission; never "
        "public.",
    )
    @history_action()
    def history(self, request, pk=None):
        return history_page(self, self.get_object().history.all())
