import pytest
from django.contrib.auth.models import Permission
from django.core.cache import caches
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters, tokens and permissions live in caches, which outlive a test.
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def user_with_perms(db):
    """A user holding exactly the given permissions ("app.codename"), in no role."""

    def make(*perms, username="someone"):
        user = UserFactory(username=username, is_staff=False)
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return type(user).objects.get(pk=user.pk)  # fresh permission cache

    return make


@pytest.fixture
def token_for(db):
    def make(user):
        return Token.objects.get_or_create(user=user)[0].key

    return make
