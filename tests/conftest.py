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
