"""Cursor pagination: no COUNT over the table, constant cost per page at any depth."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


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
            raise ValidationError(
                {"page_size": [f"Expected a whole number from 1 to {self.max_page_size}."]}
            ) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": [f"Expected a whole number from 1 to {self.max_page_size}."]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None
        if cursor is not None and cursor.position is not None:
            # A forged position must not reach the database as an invalid value.
            field_name = self.ordering[0].lstrip("-")
            try:
                self._model._meta.get_field(field_name).to_python(cursor.position)
            except (FieldDoesNotExist, DjangoValidationError, ValueError, TypeError):
                raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None
        return cursor

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
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
