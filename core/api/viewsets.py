"""The one shape of every API viewset."""

import datetime as dt

from django.db import connections, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import viewsets

from .permissions import is_public_request
from .renderers import JSONRenderer
from .sqljson import cached_page, page_json, rows_sql


class TrackerViewSetMixin:
    # Reachable anonymously in the public read mode (through public_queryset) unless False.
    public_readable = True
    # {action name: [permissions]} for custom actions, replacing the method's model permission.
    action_permissions = {}
    lookup_value_regex = r"[0-9]+"
    # On PostgreSQL, JSON list pages are rendered by the database (see core.api.sqljson).
    sql_json = False

    def dispatch(self, request, *args, **kwargs):
        # The API speaks UTC, whatever time zone the admin shows (DJANGO_TIME_ZONE).
        with timezone.override(dt.UTC):
            return super().dispatch(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        response = self._sql_json_list(request)
        return response if response is not None else super().list(request, *args, **kwargs)

    def _sql_json_list(self, request):
        """The page as DRF would give it, each item's JSON text built by PostgreSQL; or None."""
        renderer = request.accepted_renderer
        if (
            not self.sql_json
            or self.paginator is None
            or type(renderer) is not JSONRenderer
            or renderer.get_indent(request.accepted_media_type, {}) is not None
        ):
            return None
        using = self.queryset.db
        if connections[using].vendor != "postgresql" or rows_sql(self, using) is None:
            return None

        def build():
            queryset = self.filter_queryset(self.get_queryset())
            position = self.paginator.get_ordering(request, queryset, self)[0].lstrip("-")
            rows = self.paginator.paginate_queryset(queryset.values("pk", position), request, view=self)
            page = self.paginator.get_paginated_response(page_json(self, [row["pk"] for row in rows], using))
            return renderer.render(page.data), page.get("Link")

        # Everything about the request that changes the page besides its URL.
        variant = f"{self.sql_json_variant()}:{is_public_request(request, self)}"
        body, link = cached_page(self, request, variant, using, build)
        response = HttpResponse(body, content_type=renderer.media_type)
        if link:
            response["Link"] = link
        return response

    def sql_json_variant(self):
        """What, besides the URL and the public read mode, makes this user's page differ."""
        return ""

    def public_queryset(self, queryset):
        """What anonymous clients see in the public read mode."""
        return queryset

    def get_queryset(self):
        queryset = super().get_queryset()
        if is_public_request(self.request, self):
            queryset = self.public_queryset(queryset)
        return queryset

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()

    def finalize_response(self, request, response, *args, **kwargs):
        # GeoJSON, CSV and iCalendar render what a GET returns. Errors, OPTIONS metadata and the
        # answers to writes are JSON whatever format was asked for.
        renderer = getattr(request, "accepted_renderer", None)
        if (
            renderer is not None
            and renderer.format not in ("json", "api")
            and (response.status_code >= 400 or request.method not in ("GET", "HEAD"))
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class TrackerModelViewSet(TrackerViewSetMixin, viewsets.ModelViewSet):
    pass


class TrackerReadOnlyModelViewSet(TrackerViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
