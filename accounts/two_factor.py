"""Two-factor sign-in (django-otp): who must use it, checking a code, enrolling a phone.

A user has at most one authenticator app (a confirmed TOTP device) and one set of recovery codes
(a static device whose codes each work once). Anyone may enrol; with
TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL on, everyone who may see confidential sources must.
"""

from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

CONFIDENTIAL_PERMISSION = "incidents.view_confidential_source"
RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def is_required(user) -> bool:
    """Whether the user must sign in with a second factor: the setting is on and the user may
    see confidential sources (superusers included)."""
    return bool(
        settings.TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL
        and user.is_active
        and user.has_perm(CONFIDENTIAL_PERMISSION)
    )


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_code(user) -> bool:
    """A code is asked at sign-in of everyone enrolled, and of those who must be."""
    return is_enrolled(user) or is_required(user)


def match_code(user, code: str):
    """The device (app or recovery codes) that accepts this code, or None. django-otp slows down
    repeated wrong codes on each device; a recovery code is used up."""
    code = "".join((code or "").split())
    if not code:
        return None
    return django_otp.match_token(user, code)


def pending_app_device(user) -> TOTPDevice:
    """The not yet confirmed authenticator app being enrolled (made on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def confirm_app_device(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app if `code` is right: it replaces any earlier app and recovery codes, and
    new recovery codes are made and returned (to be shown once). None if the code is wrong."""
    if not device.verify_token("".join((code or "").split())):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    # API tokens got with a password alone end here: a new one takes the code.
    Token.objects.filter(user=device.user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def qr_code_svg(device: TOTPDevice) -> str:
    """The app's set-up link as an inline SVG QR code: drawn here, no outside service sees the key."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def readable_key(device: TOTPDevice) -> str:
    """The secret key in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
