"""Deployment: refuses to start without a secret key or with DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

if env.bool("DJANGO_DEBUG", default=False):
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
# At least 50 characters of which at least 10 differ: a random key (even hex) always passes;
# "aaaa…" or a word repeated does not. Make one with: python -c "import secrets; print(secrets.token_urlsafe(50))"
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 10 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to a random value of at least 50 characters (at least 10 different ones)."
    )
if not env.list("DJANGO_ALLOWED_HOSTS", default=[]):
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS to the host names this service answers to.")

TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL = env.bool("TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL", default=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
