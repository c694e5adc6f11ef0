"""Failed sign-ins: which address they come from, and how long a lock lasts (django-axes)."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.utils.translation import ngettext


def client_ip_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRACKER_TRUSTED_PROXIES proxies the address
    the outermost trusted proxy saw, from the right of X-Forwarded-For (anything to its left was
    sent by the client and may be forged)."""
    proxies = settings.TRACKER_TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def cool_off_minutes(request=None) -> int:
    return int(get_cool_off(request).total_seconds() // 60)


def lockout_message(request=None) -> str:
    minutes = cool_off_minutes(request)
    return ngettext(
        "Too many failed sign-ins for this account or from this address. For everyone's safety, "
        "sign-in is paused for %(minutes)d minute. If you need to sign in sooner, "
        "ask an administrator to unlock it.",
        "Too many failed sign-ins for this account or from this address. For everyone's safety, "
        "sign-in is paused for %(minutes)d minutes. If you need to sign in sooner, "
        "ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}
