"""The API's sign-in: a token for a username, a password and, where needed, a two-factor code."""

from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from core.api.schema import ERROR_SCHEMA

from .. import lockout, two_factor
from .serializers import TokenRequestSerializer


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password (and a two-factor code, where needed) for the user's API
    token (created on first use). Too many failed sign-ins lock the account and the address."""

    serializer_class = TokenRequestSerializer

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(
                ERROR_SCHEMA, description="Wrong username or password, or a missing or wrong `otp`."
            ),
            403: OpenApiResponse(
                ERROR_SCHEMA, description="Two-factor sign-in is required but not set up yet."
            ),
            429: OpenApiResponse(
                ERROR_SCHEMA,
                description="Throttled, or locked after too many failed sign-ins: retry after `Retry-After` seconds.",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            refuse(request, serializer.errors)
        user = serializer.validated_data["user"]
        self.check_second_factor(request, user, serializer.validated_data.get("otp", ""))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    def check_second_factor(self, request, user, code):
        if not two_factor.needs_code(user):
            return
        if not two_factor.is_enrolled(user):
            raise exceptions.PermissionDenied(
                _(
                    "Your account must use two-factor sign-in before it can have an API token: sign in to "
                    "the admin in a browser and follow the steps to set it up."
                )
            )
        if two_factor.match_code(user, code) is None:
            # A wrong code counts as a failed sign-in, so guessing codes locks out like passwords.
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request
            )
            refuse(
                request,
                {
                    "otp": [
                        _("Enter the current 6-digit code from your authenticator app, or a recovery code.")
                    ]
                },
            )


def refuse(request, errors):
    """A 400 with the errors; a 429 once the failure has locked the account or the address."""
    if getattr(request, "axes_locked_out", False):
        raise exceptions.Throttled(
            wait=lockout.cool_off_minutes(request) * 60, detail=lockout.lockout_message(request)
        )
    raise exceptions.ValidationError(errors)
