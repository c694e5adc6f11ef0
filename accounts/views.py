"""Sign-in pages: the lockout page, setting up two-factor sign-in and typing its code."""

import django_otp
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views import i18n as i18n_views

from . import language, lockout, two_factor
from .forms import WRONG_CODE, CodeForm


def locked_out(request, original_response=None, credentials=None):
    """What a locked account or address gets (AXES_LOCKOUT_CALLABLE): a 429 with Retry-After, as
    JSON under /api/, else a page saying what happened and what to do."""
    minutes = lockout.cool_off_minutes(request)
    message = lockout.lockout_message(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(
            request, "accounts/locked_out.html", {"message": message, "minutes": minutes}, status=429
        )
    response["Retry-After"] = str(minutes * 60)
    return response


@login_required
def set_up_two_factor(request):
    """Enrol an authenticator app: scan the QR code, type the code it shows, keep the recovery
    codes (shown once)."""
    user = request.user
    if two_factor.is_enrolled(user):
        if not user.is_verified():
            # Replacing the app takes the app's code first: a password alone must not do it.
            return redirect(
                f"{reverse('accounts:two-factor-verify')}?{urlencode({'next': request.get_full_path()})}"
            )
        if request.method == "GET":
            return render(request, "accounts/two_factor_on.html", {"required": two_factor.is_required(user)})
    device = two_factor.pending_app_device(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = two_factor.confirm_app_device(device, form.cleaned_data["code"])
        if codes is not None:
            django_otp.login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": safe_next(request)}
            )
        form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "qr_code": mark_safe(two_factor.qr_code_svg(device)),
        "key": two_factor.readable_key(device),
        "required": two_factor.is_required(user),
        "next": safe_next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def verify_two_factor(request):
    """Type the code for a session signed in with a password alone (e.g. before the setting
    turned on)."""
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = two_factor.match_code(request.user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(safe_next(request))
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": safe_next(request)})


def safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def set_language(request):
    """Django's set_language (the language cookie, then back to `next`), which also stores the
    choice as the signed-in user's preference: the API and the emails then use it too."""
    response = i18n_views.set_language(request)
    chosen = request.POST.get(i18n_views.LANGUAGE_QUERY_PARAMETER)
    if request.method == "POST" and request.user.is_authenticated and chosen:
        language.set_language(request.user, chosen)
    return response
