"""A user's language: what they chose, read by the pages, the API and the emails (docs/languages.md).

Other apps use `language_for(user)` (e.g. `with translation.override(language_for(user)):` around
an email) and never read `Preference` themselves.
"""

from django.conf import settings
from django.core.cache import caches
from django.utils import translation

from .models import Preference, forget_cached_language

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def _cache_key(user_id: int) -> str:
    return f"tracker-language:{user_id}"  # as forget_cached_language deletes it


def chosen_language(user) -> str | None:
    """The language the user chose, or None if they never chose one (or are anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    seconds = getattr(settings, "TRACKER_API_PERMISSION_CACHE_SECONDS", 0)
    cache = caches["local"]
    language = cache.get(_cache_key(user.pk)) if seconds else None
    if language is None:
        language = Preference.objects.filter(user_id=user.pk).values_list("language", flat=True).first() or ""
        if seconds:
            cache.set(_cache_key(user.pk), language, seconds)
    return language if language in SUPPORTED else None


def language_for(user) -> str:
    """The language to write to this user in: their preference, else the default (English)."""
    return chosen_language(user) or settings.LANGUAGE_CODE


def set_language(user, language: str) -> None:
    """Store the user's choice (an unsupported code is ignored)."""
    try:
        language = translation.get_supported_language_variant(language)
    except LookupError:
        return
    Preference.objects.update_or_create(user=user, defaults={"language": language})
    forget_cached_language(user.pk)


def activate_for(request, user) -> None:
    """Speak the user's language for the rest of this request, if they chose one, unless the
    request names languages itself (the API's Accept-Language wins over the preference)."""
    language = chosen_language(user)
    if language and not (request.path_info.startswith("/api/") and request.META.get("HTTP_ACCEPT_LANGUAGE")):
        translation.activate(language)
        request.LANGUAGE_CODE = language
