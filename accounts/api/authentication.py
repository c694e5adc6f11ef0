"""API tokens, refused to an account that must sign in with a second factor and has none.

Tokens got with a password alone (before the account had to use two-factor sign-in, or before
the setting was turned on) stop working until the user sets it up; setting it up deletes the
user's tokens (accounts.two_factor.confirm_app_device), so a new one takes the code.
"""

from rest_framework import exceptions

from core.api.authentication import CachedTokenAuthentication, QueryStringTokenAuthentication
from core.api.permissions import prime_permission_cache

from .. import two_factor


class TwoFactorTokenMixin:
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        # The two-factor rule asks for a permission: from the cache the permission check uses too,
        # not two queries on every request.
        prime_permission_cache(user)
        if two_factor.is_required(user) and not two_factor.is_enrolled(user):
            raise exceptions.AuthenticationFailed(
                "Two-factor sign-in is required for this account: set it up, then get a new token with your code."
            )
        return user, token


class TokenAuthentication(TwoFactorTokenMixin, CachedTokenAuthentication):
    """`Authorization: Token <key>` (the API's default)."""


class CalendarTokenAuthentication(TwoFactorTokenMixin, QueryStringTokenAuthentication):
    """`?token=<key>`, for the iCalendar feed only."""
