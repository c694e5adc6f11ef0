"""Keyset cursor pagination: no COUNT over the table, constant cost per page at any depth, and
every row exactly once however many rows share the ordering value.

The cursor carries the full position of a row: the value of every ordering field and its
primary key (the last key of every ordering, so positions are unique). A page is the rows
strictly after (or, going back, before) that position in the order (field..., pk). DRF's own
cursor keeps only the first field and an offset it caps at 1,000 rows, so a run of more rows
sharing one value could not be crossed.
"""

import base64
import binascii
import datetime as dt
import json
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

BIGINT = 2**63


def _flip(name):
    return name[1:] if name.startswith("-") else "-" + name


def _plain(value):
    """A position value as JSON: date-times and dates as ISO text (to the microsecond)."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _checked(field, value):
    """The model value of a position value from a cursor, or ValueError for a forged one."""
    value = field.to_python(value)
    if value is None or (isinstance(value, str) and "\x00" in value):
        raise ValueError(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None and settings.USE_TZ:
        raise ValueError(value)
    if isinstance(value, int) and not -BIGINT <= value < BIGINT:
        raise ValueError(value)
    return value


def after(order, values, inclusive=False):
    """Rows after `values` in `order` (names, `-` for descending): the keyset condition
    (a > x) OR (a = x AND b > y) ..., with `a >= x` in front so an index on `a` serves it."""
    terms = []
    for index, name in enumerate(order):
        field = name.lstrip("-")
        last = index == len(order) - 1
        lookup = ("lt" if name.startswith("-") else "gt") + ("e" if inclusive and last else "")
        equal = {key.lstrip("-"): value for key, value in zip(order[:index], values, strict=False)}
        terms.append(Q(**equal, **{f"{field}__{lookup}": values[index]}))
    first = order[0].lstrip("-")
    bound = Q(**{f"{first}__{'lte' if order[0].startswith('-') else 'gte'}": values[0]})
    return bound & reduce(or_, terms)


class CursorPagination(pagination.CursorPagination):
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    ordering = "-id"  # viewsets set their own (see TrackerViewSet.ordering)

    def __init__(self):
        self.page_size = settings.TRACKER_API_PAGE_SIZE
        self.max_page_size = settings.TRACKER_API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": [self.page_size_message()]}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": [self.page_size_message()]})
        return size

    def page_size_message(self) -> str:
        return _("Expected a whole number from 1 to %(max)d.") % {"max": self.max_page_size}

    def keyset_ordering(self, request, queryset, view):
        """The view's ordering up to and including the primary key (appended if absent)."""
        ordering = list(self.get_ordering(request, queryset, view))
        pk_names = {"pk", queryset.model._meta.pk.name}
        for index, name in enumerate(ordering):
            if name.lstrip("-") in pk_names:
                return ordering[: index + 1]
        return [*ordering, "-pk" if ordering and ordering[0].startswith("-") else "pk"]

    def position_fields(self, request, queryset, view):
        """The names whose values make a row's position (for a `.values()` queryset)."""
        return [name.lstrip("-") for name in self.keyset_ordering(request, queryset, view)]

    def paginate_queryset(self, queryset, request, view=None, fetch=None):
        """The page's rows; `fetch(sliced queryset, order)` reads them, if given (core.api.sqljson
        reads each row's JSON text in the same query)."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self._model = queryset.model
        self.ordering = self.keyset_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        reverse = self.cursor is not None and self.cursor[0]
        order = [_flip(name) for name in self.ordering] if reverse else self.ordering
        queryset = queryset.order_by(*order)
        if self.cursor is not None:
            queryset = queryset.filter(after(order, self.cursor[1], inclusive=self.cursor[2]))
        sliced = queryset[: self.page_size + 1]
        rows = fetch(sliced, order) if fetch is not None else list(sliced)
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, self.cursor is not None
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def _position(self, row):
        names = [name.lstrip("-") for name in self.ordering]
        if isinstance(row, dict):
            return [_plain(row[name]) for name in names]
        return [_plain(getattr(row, name)) for name in names]

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.page:
            return self.encode_cursor((False, self._position(self.page[-1]), False))
        # An empty page reached going back: the rows from its position on.
        return self.encode_cursor((False, self.cursor[1], True))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.page:
            return self.encode_cursor((True, self._position(self.page[0]), False))
        return self.encode_cursor((True, self.cursor[1], True))

    def encode_cursor(self, cursor):
        reverse, position, inclusive = cursor
        data = {"r": int(reverse), "p": [_plain(value) for value in position]}
        if inclusive:
            data["i"] = 1
        text = json.dumps(data, separators=(",", ":"))
        encoded = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request):
        """(reverse, position values, inclusive) from the request's cursor, or None; 400 if forged."""
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            position = data["p"]
            if not isinstance(position, list) or len(position) != len(self.ordering):
                raise ValueError(position)
            fields = [self._field(name.lstrip("-")) for name in self.ordering]
            values = [_checked(field, value) for field, value in zip(fields, position, strict=True)]
            return (bool(data.get("r")), values, bool(data.get("i")))
        except (
            binascii.Error,
            UnicodeDecodeError,
            KeyError,
            TypeError,
            ValueError,
            OverflowError,
            FieldDoesNotExist,
            DjangoValidationError,
        ):
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from None

    def _field(self, name):
        return self._model._meta.pk if name == "pk" else self._model._meta.get_field(name)

    def page_body(self, data) -> tuple[dict, str | None]:
        """The page's body (DRF's) and its Link header (None without links), each link built once."""
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        links = [
            f'<{url}>; rel="{rel}"' for rel, url in (("next", next_link), ("prev", previous_link)) if url
        ]
        return {"next": next_link, "previous": previous_link, "results": data}, ", ".join(links) or None

    def get_paginated_response(self, data):
        body, link = self.page_body(data)
        response = Response(body)
        if link:
            response["Link"] = link
        return response

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                param["description"] = (
                    f"Results per page, {self.page_size} by default, at most {self.max_page_size}."
                )
            if param["name"] == self.cursor_query_param:
                param["description"] = "Opaque position from a previous page's `next` or `previous` link."
        return params
