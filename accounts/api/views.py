"""The API's sign-in: a token for a username and a password."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from core.api.schema import ERROR_SCHEMA

from .. import lockout


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (created on first use). Too many
    failed sign-ins lock the account and the address."""

    @extend_schema(
        operation_id="auth_token_create",
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(ERROR_SCHEMA, description="Wrong username or password."),
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
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


def refuse(request, errors):
    """A 400 with the errors; a 429 once the failure has locked the account or the address."""
    if getattr(request, "axes_locked_out", False):
        raise exceptions.Throttled(
            wait=lockout.cool_off_minutes(request) * 60, detail=lockout.lockout_message(request)
        )
    raise exceptions.ValidationError(errors)
