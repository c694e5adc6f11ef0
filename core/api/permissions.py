"""Who may do what through the API: the roles' model permissions, reads included.

DRF's DjangoModelPermissions lets any logged-in user read; here a read needs `view_<model>`,
as in the admin. Actions name their own permissions in `view.action_permissions`.

Public read mode (setting/env `TRACKER_API_PUBLIC_READ`, off by default) lets anonymous clients
read what each viewset's `public_queryset()` returns: parties, agreements, areas, clauses and
deadlines in full; verified incidents with their non-confidential sources; confirmed violations
of verified incidents. Nothing else, and never a write.
"""

from django.conf import settings
from rest_framework import permissions


def public_read_enabled():
    return bool(getattr(settings, "TRACKER_API_PUBLIC_READ", False))


def is_public_request(request, view):
    """An anonymous read allowed by the public read mode."""
    user = getattr(request, "user", None)
    return (
        public_read_enabled()
        and request.method in permissions.SAFE_METHODS
        and not (user and user.is_authenticated)
        and getattr(view, "public_readable", False)
    )


class RolePermissions(permissions.DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if is_public_request(request, view):
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        prime_permission_cache(request.user)
        action_perms = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if action_perms is not None:
            return request.user.has_perms(action_perms)
        return super().has_permission(request, view)

    def _queryset(self, view):
        # Only its model is read (which permissions apply): the class queryset names it without
        # building the view's queryset (prefetches, filters by user) a second time.
        if getattr(view, "queryset", None) is not None:
            return view.queryset
        return super()._queryset(view)


class HasPerms(permissions.BasePermission):
    """For views without a queryset: `required_perms` on the view."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.user.has_perms(getattr(view, "required_perms", ()))


def prime_permission_cache(user):
    """Load the user's permissions from a short-lived cache, not two queries per request.

    A change of role reaches the API within TRACKER_API_PERMISSION_CACHE_SECONDS (0: off).
    """
    seconds = getattr(settings, "TRACKER_API_PERMISSION_CACHE_SECONDS", 0)
    if not seconds or not user.is_authenticated or not user.is_active or user.is_superuser:
        return
    if hasattr(user, "_perm_cache"):
        return
    from django.contrib.auth.backends import ModelBackend
    from django.core.cache import caches

    cache = caches["local"]

    # date_joined tells apart two users that got the same id (a test database reusing ids).
    joined = user.date_joined.timestamp() if getattr(user, "date_joined", None) else 0
    key = f"tracker-api:perms:{user.pk}:{joined}"
    perms = cache.get(key)
    if perms is None:
        perms = set(ModelBackend().get_all_permissions(user))
        cache.set(key, perms, seconds)
    user._perm_cache = perms
