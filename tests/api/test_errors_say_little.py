"""Everything under /api/ answers JSON, always; public endpoints reveal no internals."""

import pytest
from django.db import OperationalError
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "url", "headers"),
    [
        ("options", "/api/docs/", {}),
        ("get", "/api/docs/?format=json", {"HTTP_AUTHORIZATION": "Token not-a-token"}),
        ("get", "/api/docs/?format=xyz", {"HTTP_AUTHORIZATION": "Token not-a-token"}),
        ("get", "/api/docs/", {"HTTP_AUTHORIZATION": "Token not-a-token"}),
        ("options", "/api/schema/", {"HTTP_AUTHORIZATION": "Token not-a-token"}),
    ],
)
def test_the_documentation_pages_never_answer_500(client, method, url, headers):
    response = getattr(client, method)(url, **headers)
    assert response.status_code < 500, response.content[:300]


@override_settings(DEBUG=True)
def test_unknown_api_paths_answer_json_even_in_debug(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert b"URLconf" not in response.content


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body_gets_a_json_400(client, analyst):
    client.force_authenticate(analyst)
    response = client.post(
        "/api/v1/incidents/", data='{"description": "' + "x" * 5000 + '"}', content_type="application/json"
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]


def test_health_does_not_tell_anonymous_callers_where_the_database_is(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "10.1.2.3", port 5432 failed: Connection refused')

    monkeypatch.setattr("core.api.views._ping_database", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert b"10.1.2.3" not in response.content and b"5432" not in response.content
    assert response.json()["database"]["ok"] is False
