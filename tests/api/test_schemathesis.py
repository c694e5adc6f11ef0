"""Property-based API testing from the OpenAPI schema (schemathesis), through the WSGI app.

Every operation gets generated requests, valid and invalid, as a user with full rights, as a
Viewer (who must never read the confidential source's name) and as an anonymous client. Checks: no 5xx, only documented status codes and content types, and
bodies that match the schema. Bounded for CI (about a minute on 2 cores): a few examples per
operation, no coverage phase. SCHEMATHESIS_COVERAGE=1 adds schemathesis' coverage phase (boundary
and invalid values for every parameter, about 5 minutes here).
"""

import datetime as dt
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    AreaFactory,
    ClauseFactory,
    ClauseLinkFactory,
    DeadlineFactory,
    IncidentFactory,
    SourceFactory,
    UserFactory,
)
from tracker.models import Violation

MAX_EXAMPLES = 6
WITNESS = "Witness Omega-5521"
COVERAGE_PHASE = os.environ.get("SCHEMATHESIS_COVERAGE") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def api_data(db, settings):
    settings.TRACKER_API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
    settings.TRACKER_HEALTH_TIMEOUT = 0.05
    # The Django test client keeps the test's transaction open across requests; a bare WSGI
    # app would close the connection at the end of each request. Keep it, as the client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    incident = IncidentFactory()
    SourceFactory(incident=incident, name=WITNESS, confidential=True)
    clause = ClauseFactory(areas=[AreaFactory()])
    DeadlineFactory(clause=clause)
    ClauseLinkFactory(incident=incident, clause=clause)
    Violation.objects.create(
        incident=incident,
        clause=clause,
        confidence="high",
        flagged_at=dt.datetime(2019, 4, 3, tzinfo=dt.UTC),
    )
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded at collection: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    get_wsgi_application(),
    config=SchemathesisConfig.from_dict(
        {
            "phases": {"coverage": {"enabled": COVERAGE_PHASE}, "stateful": {"enabled": False}},
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
        }
    ),
)
HYPOTHESIS = {
    "max_examples": MAX_EXAMPLES,
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}


@pytest.fixture
def superuser_token(db):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=UserFactory(username="fuzz-root", is_superuser=True)).key


@schema.parametrize()
@settings(**HYPOTHESIS)
def test_api_as_a_user_with_full_rights(case, superuser_token):
    case.call_and_validate(headers={"Authorization": f"Token {superuser_token}"}, checks=CHECKS)


@pytest.fixture
def viewer_token(roles):
    from rest_framework.authtoken.models import Token

    from core.roles import VIEWER

    return Token.objects.create(user=UserFactory(username="fuzz-viewer", roles=[VIEWER])).key


def no_witness(ctx, response, case):
    """A Viewer's answers never carry the confidential source's name."""
    if WITNESS.encode() in response.content:
        raise AssertionError(f"{case.method} {case.formatted_path}: the confidential source is in the answer")


@schema.parametrize()
@settings(**HYPOTHESIS)
def test_api_as_a_viewer(case, viewer_token):
    case.call_and_validate(headers={"Authorization": f"Token {viewer_token}"}, checks=[*CHECKS, no_witness])


@schema.parametrize()
@settings(**HYPOTHESIS)
def test_api_as_an_anonymous_client(case):
    case.call_and_validate(checks=CHECKS)
