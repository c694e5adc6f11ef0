"""Filters shared by every app's filtersets: bounding boxes, free text, ordering."""

import copy
import datetime as dt
import math

import django_filters
import django_filters.rest_framework
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class OrderingFilter(filters.OrderingFilter):
    """DRF ordering, plus the primary key as a tie-breaker so pages are deterministic."""

    ordering_description = "Sort by one of the listed fields; prefix with `-` for descending."

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len([f for f in fields if f]):
            allowed = ", ".join(getattr(view, "ordering_fields", []))
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Order by one of: %(allowed)s (prefix - for descending).") % {"allowed": allowed}
                    ]
                }
            )
        return valid

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(f.lstrip("-") in ("id", "pk") for f in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return tuple(ordering)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        fields = list(getattr(view, "ordering_fields", []))
        for param in params:
            param["schema"] = {"type": "string", "enum": [*fields, *(f"-{f}" for f in fields)]}
            param["description"] = (
                f"Sort order (default `{','.join(view.ordering)}`). " + self.ordering_description
            )
        return params


class UTCDateTimeField(forms.DateTimeField):
    """ISO 8601 date or date-time, converted to UTC (a bare date or a naive time is UTC)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("Date-time out of range."), code="invalid") from None


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = UTCDateTimeField


class BBoxField(forms.CharField):
    default_error_messages = {
        "invalid": _(
            "Expected bbox=minlon,minlat,maxlon,maxlat: four numbers in degrees, "
            "longitude within ±180, latitude within ±90, min before max."
        ),
    }

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        parts = value.split(",")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return numbers


@extend_schema_field(
    {
        "type": "string",
        "example": "36.5,35.6,37.0,36.0",
        "description": "Bounding box minlon,minlat,maxlon,maxlat in degrees (WGS 84).",
    }
)
class BBoxFilter(django_filters.Filter):
    """`bbox=minlon,minlat,maxlon,maxlat`: points (lat/lon fields) inside the box, edges included."""

    field_class = BBoxField

    def __init__(self, *args, lat_field="latitude", lon_field="longitude", **kwargs):
        kwargs.setdefault("help_text", "minlon,minlat,maxlon,maxlat in degrees (WGS 84).")
        super().__init__(*args, **kwargs)
        self.lat_field = lat_field
        self.lon_field = lon_field

    def filter(self, qs, value):
        if not value:
            return qs
        min_lon, min_lat, max_lon, max_lat = value
        return qs.filter(
            **{
                f"{self.lon_field}__gte": min_lon,
                f"{self.lon_field}__lte": max_lon,
                f"{self.lat_field}__gte": min_lat,
                f"{self.lat_field}__lte": max_lat,
            }
        )


class SearchFilter(django_filters.CharFilter):
    """`q=`: every word must appear (case-insensitive) in one of `search_fields`."""

    def __init__(self, *args, search_fields=(), **kwargs):
        kwargs.setdefault("help_text", "Free-text search; every word must match.")
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)
        self.search_fields = search_fields

    def filter(self, qs, value):
        words = (value or "").split()
        for word in words[:10]:
            match = Q()
            for field in self.search_fields:
                match |= Q(**{f"{field}__icontains": word})
            qs = qs.filter(match)
        return qs.distinct() if any("__" in f for f in self.search_fields) and words else qs


class IdField(forms.IntegerField):
    """A primary key: a positive whole number that fits a 64-bit column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class IdInFilter(django_filters.BaseInFilter, IdFilter):
    """Comma-separated ids: `party=1,2`."""


class IdOrSlugField(forms.RegexField):
    """An id or a slug: `12` or `sochi-2018`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(r"^[-a-zA-Z0-9_]+$", *args, **kwargs)


class IdOrSlugInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """Comma-separated ids or slugs of a related model: `agreement=3` or `agreement=sochi-2018`."""

    field_class = IdOrSlugField

    def filter(self, qs, value):
        if not value:
            return qs
        ids = [int(v) for v in value if v.isdigit()]
        slugs = [v for v in value if not v.isdigit()]
        return qs.filter(Q(**{f"{self.field_name}__in": ids}) | Q(**{f"{self.field_name}__slug__in": slugs}))


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Comma-separated choice values: `category=shelling,air_strike`."""


class DjangoFilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """Builds and validates the FilterSet only when the request uses one of its filters."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class _FiltersCopiedShallow(dict):
    """A request's filters, copied one level deep instead of deep-copied (django-filter's way).

    Each request's FilterSet gives its filters their parent and model, so each gets a copy of
    its own; what the copies share (form field, lookup, choices) nothing changes after the
    declaration. A filter with a `method` gets its method helper bound to the copy, which is how
    the method finds this request's FilterSet.
    """

    def __deepcopy__(self, memo):
        copies = {}
        for name, declared in self.items():
            copies[name] = filter_ = copy.copy(declared)
            if declared.method is not None:
                filter_.method = declared.method
        return copies


class _FieldsSharedByForms(dict):
    """A validation form's fields, shared by its instances instead of deep-copied for each.

    Django copies a form's fields for every form so that a view may change them (widgets,
    choices); these forms only validate query parameters, and cleaning changes no field.
    """

    def __deepcopy__(self, memo):
        return dict(self)


class FilterSet(django_filters.FilterSet):
    """A FilterSet that copies and validates only the filters a request uses.

    django-filter deep-copies every declared filter and builds a form field for each on every
    request, which costs more than the query of a filtered page. The filters here are declared
    statically and each reads one query parameter of its own name, so a request's FilterSet
    holds just the filters named in its query string, copied one level deep; their form class
    is built once per set of names, and its forms share its fields.
    """

    _form_classes = {}
    _FORM_CLASSES_MAX = 512

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            self.base_filters = _FiltersCopiedShallow(
                (name, f) for name, f in type(self).base_filters.items() if name in data
            )
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        key = (type(self), tuple(self.filters))
        form_class = FilterSet._form_classes.get(key)
        if form_class is None:
            if len(FilterSet._form_classes) >= self._FORM_CLASSES_MAX:
                FilterSet._form_classes.clear()
            form_class = FilterSet._form_classes[key] = super().get_form_class()
            form_class.base_fields = _FieldsSharedByForms(form_class.base_fields)
        return form_class
