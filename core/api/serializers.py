"""Base serializer: writes are validated by the model itself, exactly as in the admin."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings


class FullCleanModelSerializer(serializers.ModelSerializer):
    """Runs Model.full_clean() (fields, clean(), unique checks, constraints) before saving.

    Django's ValidationError becomes a DRF 400 with the same field messages. Values that
    clean() normalises (e.g. an Area's geometry) are the ones saved.
    """

    def prepare_instance(self, instance, attrs):
        """Hook: set what the model needs before validation (e.g. the agreement of a clause)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {f.name: f for f in model._meta.concrete_fields}
        pk_name = model._meta.pk.name
        for name, value in attrs.items():
            if name in concrete and name != pk_name:
                setattr(instance, name, value)
        self.prepare_instance(instance, attrs)
        # As a ModelForm does: skip what the client cannot set (non-editable or not a field here).
        writable = {f.source for f in self.fields.values() if not f.read_only}
        exclude = [name for name, field in concrete.items() if not field.editable or name not in writable]
        try:
            instance.full_clean(exclude=exclude)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        for name in attrs:
            if name in concrete and name != pk_name:
                attrs[name] = getattr(instance, name)
        return attrs


class ChoiceListField(serializers.ListField):
    """A list of choice values (core.fields.ChoiceListField), without duplicates."""

    def __init__(self, choices_enum, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(child=serializers.ChoiceField(choices=choices_enum.choices), **kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return list(dict.fromkeys(values))


class ErrorSerializer(serializers.Serializer):
    """What every 4xx carries: `detail`, or field names with their messages."""

    detail = serializers.CharField(required=False)


class _RelatedValue:
    """A value of a related row: from a queryset annotation when the list query added one
    (one join, no model instances), else by following the relation."""

    def __init__(self, path, annotation, **kwargs):
        self.path = path.split(".")
        self.annotation = annotation
        super().__init__(source="*", read_only=True, allow_null=True, **kwargs)

    def to_representation(self, obj):
        try:
            return obj.__dict__[self.annotation]
        except KeyError:
            pass
        for name in self.path:
            if obj is None:
                return None
            obj = getattr(obj, name)
        return obj


class RelatedValueField(_RelatedValue, serializers.CharField):
    pass


class RelatedIdField(_RelatedValue, serializers.IntegerField):
    pass


# --- Fast lists ------------------------------------------------------------------------------
# DRF calls get_attribute and to_representation on every field of every row, which dominates a
# 50-row page. FastListSerializer compiles one plain getter per field for the common field
# types (once per serializer class when `fast_plan_cacheable`), falls back to DRF's own code for
# any other, and looks the current time zone up once per page rather than once per value. The
# output is identical: tests/api/test_fast_lists.py compares both on every serializer.
# Getters take (instance, tz).

_ISO = "iso-8601"


def _attr_getter(source_attrs):
    if len(source_attrs) == 1:
        name = source_attrs[0]
        return lambda obj, tz: getattr(obj, name)

    def get(obj, tz):
        for name in source_attrs:
            if obj is None:
                return None
            obj = getattr(obj, name)
        return obj

    return get


def _compile_field(field):
    """A function (instance, tz) -> representation, equal to DRF's for this field, or None."""
    from django.conf import settings as dj_settings
    from django.db.models import Manager
    from rest_framework import relations

    if isinstance(field, serializers.ListSerializer) and field.source_attrs:
        child_plan = compile_plan(field.child)
        get = _attr_getter(field.source_attrs)

        def nested_many(obj, tz):
            value = get(obj, tz)
            if isinstance(value, Manager):
                value = value.all()
            return [{name: g(item, tz) for name, g in child_plan} for item in value]

        return nested_many
    if isinstance(field, _RelatedValue):
        represent = field.to_representation
        return lambda obj, tz: represent(obj)
    if (
        isinstance(field, relations.PrimaryKeyRelatedField)
        and len(field.source_attrs) == 1
        and field.pk_field is None
    ):
        attname = field.source_attrs[0] + "_id"
        return lambda obj, tz: getattr(obj, attname)
    if not field.source_attrs or field.source == "*":
        return None
    get = _attr_getter(field.source_attrs)
    kind = type(field)
    if kind in (
        serializers.IntegerField,
        serializers.BooleanField,
        serializers.ChoiceField,
        serializers.ReadOnlyField,
        serializers.ModelField,
    ):
        return get
    if (
        kind is serializers.BigIntegerField
        and not getattr(field, "coerce_to_string", False)
        and not api_settings.COERCE_BIGINT_TO_STRING
    ):
        return get
    if kind is serializers.CharField:

        def text(obj, tz):
            value = get(obj, tz)
            return None if value is None else str(value)

        return text
    if kind is serializers.FloatField:

        def number(obj, tz):
            value = get(obj, tz)
            return None if value is None else float(value)

        return number
    if (
        kind is serializers.DateTimeField
        and getattr(field, "format", _ISO) == _ISO
        and not hasattr(field, "timezone")
        and dj_settings.USE_TZ
    ):

        def datetime_value(obj, tz):
            value = get(obj, tz)
            if not value:
                return None
            text = value.astimezone(tz).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return datetime_value
    if isinstance(field, serializers.ListField) and (
        type(field.child) is serializers.ChoiceField
        or (type(field.child) is serializers.JSONField and not field.child.binary)
    ):

        def listed(obj, tz):
            value = get(obj, tz)
            return None if value is None else list(value)

        return listed
    return None


def compile_plan(serializer):
    plan = []
    for field in serializer._readable_fields:
        fast = _compile_field(field)
        plan.append((field.field_name, fast or _slow_getter(field)))
    return plan


def _slow_getter(field):
    from rest_framework.fields import SkipField
    from rest_framework.relations import PKOnlyObject

    def get(obj, tz):
        try:
            attribute = field.get_attribute(obj)
        except SkipField:
            return None
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return get


_PLANS = {}


class FastListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        from django.db.models import Manager
        from django.utils import timezone as dj_timezone

        iterable = data.all() if isinstance(data, Manager) else data
        child_class = type(self.child)
        if child_class.to_representation is not serializers.Serializer.to_representation:
            prepare = getattr(self.child, "prepare_representation", None)
            if prepare is None:
                return super().to_representation(data)
            iterable = [prepare(item) for item in iterable]
        if getattr(child_class, "fast_plan_cacheable", False):
            plan = _PLANS.get(child_class)
            if plan is None:
                plan = _PLANS[child_class] = compile_plan(self.child)
        else:
            plan = compile_plan(self.child)
        tz = dj_timezone.get_current_timezone()
        return [{name: get(item, tz) for name, get in plan} for item in iterable]
