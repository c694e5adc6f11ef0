from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class ChoiceListField(models.JSONField):
    """A list of choice values stored as JSON (works on SQLite and PostgreSQL alike).

    In forms it is a list of checkboxes, so staff never type JSON.
    """

    def __init__(self, *args, choices_enum=None, **kwargs):
        self.choices_enum = choices_enum
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choices_enum"] = self.choices_enum
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of values."), code="invalid")
        allowed = set(self.choices_enum.values)
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise ValidationError(
                _("Unknown value(s): %(unknown)s. Allowed: %(allowed)s."),
                code="invalid_choice",
                params={"unknown": ", ".join(map(str, unknown)), "allowed": ", ".join(sorted(allowed))},
            )

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=self.choices_enum.choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
        )


class BoundedTextField(models.TextField):
    """A TextField whose max_length holds everywhere: Django's TextField passes it only to the
    form's widget, this one also validates it (model validation: the admin and the API), and the
    importers read the same limit (`Model._meta.get_field(name).max_length`). No text of
    megabytes then reaches a page."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]
