"""Base serializer: writes are validated by the model itself, exactly as in the admin."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


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
