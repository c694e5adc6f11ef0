"""Throttles whose rates come from settings.TRACKER_API_THROTTLE_RATES at request time.

The counters live in the default cache (Redis when configured). If that cache fails, requests
are let through (and the failure logged) rather than the whole API answering 500.
"""

import logging

from django.conf import settings
from rest_framework import throttling

logger = logging.getLogger(__name__)


class _SettingsRate:
    def get_rate(self):
        return settings.TRACKER_API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache backend's own errors (redis.ConnectionError...) vary
            logger.exception("Throttle cache unavailable: request let through")
            return True


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    pass
