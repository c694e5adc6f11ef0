import io

import pytest

from core.roles import ANALYST, COORDINATOR, REPORTER, VIEWER, sync_roles
from tests.factories import UserFactory


@pytest.fixture
def roles(db):
    """The role groups, as every migrate and flush leaves them (see core.roles)."""
    sync_roles()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def viewer(roles):
    return UserFactory(username="viewer", roles=[VIEWER])


@pytest.fixture
def reporter(roles):
    return UserFactory(username="reporter", roles=[REPORTER])


@pytest.fixture
def analyst(roles):
    return UserFactory(username="analyst", roles=[ANALYST])


@pytest.fixture
def coordinator(roles):
    return UserFactory(username="coordinator", roles=[COORDINATOR])


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The .mo files, built from the .po catalogs as `make test` does, for a bare pytest run too."""
    from django.core.management import call_command

    call_command("compile_translations", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _english_and_no_cached_preference():
    """Each test starts in the default language: a request activates its language for the thread,
    and the language preferences are cached per process (accounts.language)."""
    from django.core.cache import caches
    from django.utils import translation

    translation.activate("en")
    caches["local"].clear()
    yield
    translation.activate("en")
