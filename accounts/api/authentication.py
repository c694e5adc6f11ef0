"""API tokens, refused to an account that must sign in with a second factor and has none.

Tokens got with a password alone (before the account had to use two-factor sign-in, or before
the setting was turned on) stop working until the user sets it up; setting it up deletes the
user's tokens (accounts.two_factor.confirm_app_device), so a new one takes the code.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from core.api.authentication import CachedTokenAuthentication, QueryStringTokenAuthentication
from core.api.permissions import prime_permission_cache

from .. import language, two_factor


class TwoFactorTokenMixin:
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        # The two-factor rule asks for a permission: from the cache the permission check uses too,
        # not two queries on every request.
        prime_permission_cache(user)
        if two_factor.is_required(user) and not two_factor.is_enrolled(user):
            raise exceptions.AuthenticationFailed(
                _(
                    "Two-factor sign-in is required for this account: set it up, then get a new token with your code."
                )
            )
        return user, token


class UserLanguageMixin:
    """A token user's chosen language when the request sends no Accept-Language (the session's
    users get it from accounts.middleware.UserLanguageMiddleware)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            language.activate_for(request._request, result[0])
        return result


class TokenAuthentication(UserLanguageMixin, TwoFactorTokenMixin, CachedTokenAuthentication):
    """`Authorization: Token <key>` (the API's default)."""


class CalendarTokenAuthentication(UserLanguageMixin, TwoFactorTokenMixin, QueryStringTokenAuthentication):
    """`?token=<key>`, for the iCalendar feed only."""
