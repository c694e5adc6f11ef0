"""The one shape of every API viewset."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from rest_framework import viewsets

from .permissions import is_public_request
from .renderers import JSONRenderer
from .sqljson import sql_list_response


class TrackerViewSetMixin:
    # Reachable anonymously in the public read mode (through public_queryset) unless False.
    public_readable = True
    # {action name: [permissions]} for custom actions, replacing the method's model permission.
    action_permissions = {}
    lookup_value_regex = r"[0-9]+"
    # On PostgreSQL, list pages are built by the database (see core.api.sqljson).
    sql_json = False
    # True while core.api.sqljson selects a list page's rows (their ids and positions): then
    # get_queryset may leave out what only the serializer needs (prefetches).
    selecting_rows = False

    def dispatch(self, request, *args, **kwargs):
        # The API speaks UTC, whatever time zone the admin shows (DJANGO_TIME_ZONE).
        with timezone.override(dt.UTC):
            return super().dispatch(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        # The one place a list chooses its path: built by PostgreSQL when the view and the
        # database allow it (core.api.sqljson), else DRF's serializers.
        response = sql_list_response(self, request)
        return response if response is not None else super().list(request, *args, **kwargs)

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
