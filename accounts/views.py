"""Sign-in pages: the lockout page."""

from django.http import JsonResponse
from django.shortcuts import render

from . import lockout


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
