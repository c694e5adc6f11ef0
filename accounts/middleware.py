"""Two-factor sign-in, where required: a session signed in with a password alone goes no further
than the pages that set it up or ask the code."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import language, two_factor


class UserLanguageMiddleware:
    """A signed-in user's chosen language for the pages (and the API when the request sends no
    Accept-Language): after LocaleMiddleware, which took the cookie or the browser's languages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language.activate_for(request, user)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """With TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL on, a user who may see confidential sources and
    whose session is not verified by a code (django-otp's OTPMiddleware) is sent to set up
    two-factor sign-in, or to type a code; the API answers 403. Token requests are not sessions:
    the token endpoint asks the code itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self.is_exempt(request.path_info)
            and two_factor.is_required(user)
        ):
            return self.refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def is_exempt(path):
        exempt = (reverse("accounts:two-factor"), reverse("admin:logout"), reverse("api:token"))
        return path.startswith(exempt) or path.startswith("/" + settings.STATIC_URL.lstrip("/"))

    @staticmethod
    def refuse(request, user):
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "Two-factor sign-in is required for this account: sign in again with your code."
                    )
                },
                status=403,
            )
        page = "accounts:two-factor-verify" if two_factor.is_enrolled(user) else "accounts:two-factor"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
