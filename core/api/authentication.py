"""Token authentication: the header (with a short cache) and, for the calendar feed only, the query string."""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class QueryStringTokenAuthentication(TokenAuthentication):
    """`?token=<key>`, for calendar apps that cannot send headers.

    Only the iCalendar feed accepts it: a URL ends up in logs and history, so treat a subscribed
    calendar URL like a password, and give it a Viewer's token.
    """

    query_param = "token"

    def authenticate(self, request):
        key = request.query_params.get(self.query_param)
        if not key:
            return None
        if len(key) > 40 or not key.isalnum():
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return self.authenticate_credentials(key)


class CachedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, with the key's user kept in the cache for a few seconds.

    Saves a query on every request. A deleted token or a deactivated user stops working within
    TRACKER_API_PERMISSION_CACHE_SECONDS (the same delay as a change of role; 0: no cache).
    """

    def authenticate_credentials(self, key):
        seconds = getattr(settings, "TRACKER_API_PERMISSION_CACHE_SECONDS", 0)
        if not seconds or len(key) > 40:
            return super().authenticate_credentials(key)
        cache_key = f"tracker-api:token:{hashlib.sha256(key.encode()).hexdigest()}"
        cache = caches["local"]
        user = cache.get(cache_key)
        if user is None:
            user, token = super().authenticate_credentials(key)
            cache.set(cache_key, user, seconds)
            return user, token
        return user, None
