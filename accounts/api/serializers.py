from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer


class TokenRequestSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        label=_("Two-factor code"),
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=(
            "The 6-digit code from the authenticator app, or an unused recovery code: required for "
            "users enrolled in two-factor sign-in, and for those who may see confidential sources "
            "when TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL is on."
        ),
    )
