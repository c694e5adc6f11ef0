"""API-wide views: health and JSON error pages."""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .renderers import JSONRenderer

log = logging.getLogger(__name__)


CHECK_SCHEMA = inline_serializer(
    "HealthCheck",
    {
        "ok": serializers.BooleanField(),
        "detail": serializers.CharField(),
        "seconds": serializers.FloatField(),
    },
)
HEALTH_SCHEMA = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "degraded", "error"]),
        "database": CHECK_SCHEMA,
        "broker": CHECK_SCHEMA,
        "workers": CHECK_SCHEMA,
    },
)


HEALTH_CACHE_KEY = "tracker-health:broker-workers"


class HealthView(APIView):
    """Database, broker and worker status. 200 while the database answers, else 503.

    `status` is `ok` when all three are up, `degraded` when only the database is.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        operation_id="health",
        responses={
            200: OpenApiResponse(HEALTH_SCHEMA, description="The database answers."),
            503: OpenApiResponse(HEALTH_SCHEMA, description="The database does not answer."),
        },
    )
    def get(self, request):
        timeout = settings.TRACKER_HEALTH_TIMEOUT
        database = _check(_ping_database)
        # The broker and worker probes can take `timeout` seconds: their result is reused for a
        # few seconds so that frequent polling cannot tie up the web workers.
        cache = caches["local"]  # per process: answers even when the shared cache (Redis) is down
        cached = cache.get(HEALTH_CACHE_KEY)
        if cached is None:
            broker = _check(lambda: _ping_broker(timeout))
            if broker["ok"]:
                workers = _check(lambda: _ping_workers(timeout))
            else:
                workers = {"ok": False, "detail": "unknown: the broker is unreachable", "seconds": 0.0}
            cache.set(HEALTH_CACHE_KEY, (broker, workers), settings.TRACKER_HEALTH_CACHE_SECONDS)
        else:
            broker, workers = cached
        if not database["ok"]:
            state = "error"
        elif broker["ok"] and workers["ok"]:
            state = "ok"
        else:
            state = "degraded"
        body = {"status": state, "database": database, "broker": broker, "workers": workers}
        return Response(body, status=200 if database["ok"] else 503)


def _check(probe):
    started = time.monotonic()
    try:
        ok, detail = probe()
    except Exception as exc:  # any failure of a dependency is a status, not a crash
        # The message may name hosts, ports or users: it goes to the log, not to the caller.
        log.warning("Health check %s failed: %s", probe.__name__, exc)
        ok, detail = False, f"{exc.__class__.__name__} (see the server log)"
    return {"ok": ok, "detail": detail, "seconds": round(time.monotonic() - started, 4)}


def _ping_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def _ping_broker(timeout):
    from celery import current_app as app

    with app.connection_for_write(connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
        return True, conn.transport_cls if isinstance(conn.transport_cls, str) else conn.transport.driver_type


def _ping_workers(timeout):
    from celery import current_app as app

    replies = app.control.inspect(timeout=timeout).ping() or {}
    if not replies:
        return False, f"no worker answered within {timeout:g} s"
    return True, f"{len(replies)} worker(s) answered"


class APIDocsView(SpectacularSwaggerView):
    """The Swagger UI page. A public page: a bad token does not turn it into an error, and what
    is not the page itself (OPTIONS, an unknown ?format=, errors) answers JSON."""

    authentication_classes = []

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 or request.method not in ("GET", "HEAD"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def _is_api(request):
    return request.path.startswith(("/api/", "/health"))


def handler400(request, exception=None):
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return JsonResponse(
                {"detail": _("The request body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"}},
                status=413,
            )
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)
