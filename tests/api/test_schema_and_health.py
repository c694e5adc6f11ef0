"""The OpenAPI schema validates; Swagger UI is served; /health/; malformed requests are 4xx JSON."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/incidents/bulk/",
        "/api/v1/violations/{id}/confirm/",
        "/api/v1/deadlines.ics",
        "/api/v1/deadlines/{id}/mark-met/",
        "/api/v1/clause-links/{id}/",
        "/api/v1/incidents/{id}/history/",
        "/api/v1/incidents/{id}/source-history/",
        "/api/v1/clauses/{id}/history/",
        "/api/v1/auth/token/",
        "/health/",
    ):
        assert f"{path}:" in text, path


def test_every_operation_documents_its_errors(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path == "/health/" or path.endswith("/auth/token/"):
                continue
            assert {"400", "401", "403", "429"} <= set(operation["responses"]), (method, path)
            if "{id}" in path:
                assert "404" in operation["responses"], (method, path)
            for param in operation.get("parameters", []):
                if param["in"] == "query":
                    assert param.get("description"), (method, path, param["name"])


def test_swagger_ui_is_served_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content and b"cdn.jsdelivr" not in response.content


def test_health_reports_each_dependency(client, settings):
    settings.TRACKER_HEALTH_TIMEOUT = 0.2
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert set(body) == {"status", "database", "broker", "workers"}
    assert body["status"] in ("ok", "degraded")
    assert body["status"] == ("ok" if body["broker"]["ok"] and body["workers"]["ok"] else "degraded")


def test_health_is_503_when_the_database_is_down(client, settings, monkeypatch):
    from core.api import views

    def broken():
        raise OSError("connection refused")

    settings.TRACKER_HEALTH_TIMEOUT = 0.2
    monkeypatch.setattr(views, "_ping_database", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "error" and "OSError" in response.json()["database"]["detail"]


def test_an_unreachable_broker_is_reported_not_raised(client, settings, monkeypatch):
    from config.celery import app

    settings.TRACKER_HEALTH_TIMEOUT = 0.2
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["broker"]["ok"] is False and body["workers"]["ok"] is False and body["status"] == "degraded"


@pytest.mark.parametrize(
    "method,path,body,content_type",
    [
        ("post", "/api/v1/incidents/", "{not json", "application/json"),
        ("post", "/api/v1/incidents/", "<xml/>", "application/xml"),
        (
            "post",
            "/api/v1/incidents/",
            '{"occurred_at": "2019-13-45", "category": "shelling"}',
            "application/json",
        ),
        (
            "post",
            "/api/v1/incidents/",
            '{"occurred_at": "2019-01-01", "category": "shelling", "latitude": 35}',
            "application/json",
        ),
        (
            "post",
            "/api/v1/incidents/",
            '{"occurred_at": "2019-01-01", "category": "x", "weapons": "cluster"}',
            "application/json",
        ),
        ("post", "/api/v1/incidents/", "[1, 2]", "application/json"),
        (
            "post",
            "/api/v1/areas/",
            '{"name": "a", "slug": "a", "geometry": {"type": "Polygon", "coordinates": 5}}',
            "application/json",
        ),
        (
            "post",
            "/api/v1/areas/",
            '{"name": "a", "slug": "a", "geometry": {"type": "Point", "coordinates": [200, 1]},'
            ' "buffer_km": 1}',
            "application/json",
        ),
        ("post", "/api/v1/areas/", '{"name": "a", "slug": "a", "geometry": "nonsense"}', "application/json"),
        ("post", "/api/v1/deadlines/", '{"description": "x", "due_date": "2018-01-01"}', "application/json"),
        (
            "post",
            "/api/v1/clauses/",
            '{"agreement": 99999999999999999999, "number": "1", "title": "t"}',
            "application/json",
        ),
        ("get", "/api/v1/incidents/abc/", None, None),
        ("get", "/api/v1/incidents/99999999999999999999999/", None, None),
        ("get", "/api/v1/no-such-thing/", None, None),
        ("post", "/api/v1/violations/1/confirm/", '{"note": 5}', "application/json"),
    ],
)
def test_malformed_requests_are_4xx_json(client, superuser, method, path, body, content_type):
    IncidentFactory()
    client.force_authenticate(superuser)
    kwargs = {"data": body, "content_type": content_type} if body is not None else {}
    response = getattr(client, method)(path, **kwargs)
    assert 400 <= response.status_code < 500, (path, body, response.status_code)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()


def test_an_invalid_geometry_says_what_is_wrong(client, coordinator):
    client.force_authenticate(coordinator)
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    response = client.post(
        reverse("api:area-list"), {"name": "a", "slug": "a", "geometry": bowtie}, format="json"
    )
    assert response.status_code == 400
    assert "Self-intersection" in response.json()["geometry"][0]
    line = {"type": "LineString", "coordinates": [[36.4, 35.8], [36.9, 35.85]]}
    response = client.post(
        reverse("api:area-list"), {"name": "a", "slug": "a", "geometry": line}, format="json"
    )
    assert response.status_code == 400 and "buffer" in response.json()["buffer_km"][0]


def test_model_validation_applies_to_the_api(client, reporter):
    client.force_authenticate(reporter)
    response = client.post(
        reverse("api:incident-list"),
        {
            "occurred_at": "2019-04-02T10:00:00Z",
            "occurred_until": "2019-04-01T10:00:00Z",
            "category": "shelling",
            "external_id": "X1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"occurred_until", "source_dataset"}


def test_the_token_query_parameter_is_only_for_the_calendar(client, viewer, token_for):
    assert client.get(reverse("api:incident-list"), {"token": token_for(viewer)}).status_code == 401


@pytest.mark.parametrize("params", [{"token": "abc\x00def"}, {"q": "a\x00b"}, {"token": "x" * 500}])
def test_nul_characters_and_junk_tokens_are_4xx(client, params):
    response = client.get(reverse("api:deadlines-ics"), params)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "field,value", [("due_date", "9999-12-31"), ("due_date", "0001-01-01"), ("extended_to", "9999-12-31")]
)
def test_deadline_dates_out_of_any_calendar_are_400(client, coordinator, field, value):
    from tests.factories import ClauseFactory

    client.force_authenticate(coordinator)
    data = {
        "clause": ClauseFactory().pk,
        "description": "x",
        "due_date": "2018-10-10",
        field: value,
        "due_time": "00:00",
    }
    response = client.post(reverse("api:deadline-list"), data, format="json")
    assert response.status_code == 400
    assert field in response.json()
