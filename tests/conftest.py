import pytest

from tests.factories import UserFactory
from tracker.roles import ANALYST, COORDINATOR, REPORTER, VIEWER


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", roles=[VIEWER])


@pytest.fixture
def reporter(db):
    return UserFactory(username="reporter", roles=[REPORTER])


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", roles=[ANALYST])


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator", roles=[COORDINATOR])
