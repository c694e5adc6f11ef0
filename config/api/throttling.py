"""Throttles whose rates come from settings.TRACKER_API_THROTTLE_RATES at request time."""

from django.conf import settings
from rest_framework import throttling


class _SettingsRate:
    def get_rate(self):
        return settings.TRACKER_API_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    pass
