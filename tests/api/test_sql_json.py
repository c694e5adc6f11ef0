"""List pages rendered by PostgreSQL (core.api.sqljson) equal DRF's own, page after page."""

import datetime as dt
import json

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext, override_settings

from core.api import sqljson, viewsets
from incidents.api.views import IncidentViewSet
from incidents.models import Incident
from tests.factories import ClauseFactory, IncidentFactory, PartyFactory, SourceFactory, UserFactory
from tracker.api.views import ViolationViewSet
from tracker.models import Violation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL-rendered lists are PostgreSQL's"),
]
UTC = dt.UTC


@pytest.fixture
def data(db):
    party = PartyFactory(name='Front "Quoted" \\ Ünïcode')
    author = UserFactory(username="entered-by")
    clause = ClauseFactory(number="3", prohibited_categories=["shelling"])
    incidents = []
    for n in range(7):
        incident = IncidentFactory(
            occurred_at=dt.datetime(2019, 4, 1 + n % 3, 6, 30, n, 123456 * (n % 2), tzinfo=UTC),
            occurred_until=dt.datetime(2019, 4, 5, tzinfo=UTC) if n % 2 else None,
            perpetrator=party if n % 3 else None,
            created_by=author if n % 2 else None,
            latitude=None if n == 6 else (36.0 if n == 0 else 35.5 + n / 7),
            longitude=None if n == 6 else 36.123456789,
            weapons=["artillery", "cluster_munitions"] if n % 2 else [],
            description=f'Line one\nline two\t"quoted" <b>{n}</b> ☂',
            category="shelling",
            status="verified" if n % 2 else "draft",
            killed_civilians=n,
            killed_unknown=2,
            injured_combatants=n % 2,
        )
        SourceFactory(incident=incident, name=f"Outlet {n}", published_on=dt.date(2019, 4, 2))
        SourceFactory(incident=incident, name="Witness", confidential=True, published_on=None)
        SourceFactory(incident=incident, name="Earlier", published_on=dt.date(2019, 3, 30))
        Violation.objects.create(
            incident=incident,
            clause=clause,
            confidence=("high", "medium", "low")[n % 3],
            reasons=[{"rule": "category", "detail": "shelling"}],
            status=("flagged", "confirmed")[n % 2],
            flagged_at=incident.occurred_at + dt.timedelta(hours=1),
        )
        incidents.append(incident)
    return incidents


def pages(client, url):
    """Every page of a list, following `next`, as parsed JSON."""
    found = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = json.loads(response.content)
        found.append((body, response.get("Link")))
        url = body["next"]
    return found


def both_paths(client, url, monkeypatch):
    with CaptureQueriesContext(connection) as queries:
        fast = pages(client, url)
    assert any("t._json" in q["sql"] for q in queries.captured_queries), "fast path not taken"
    with monkeypatch.context() as patched:
        patched.setattr(viewsets, "sql_list_response", lambda view, request: None)
        slow = pages(client, url)
    return fast, slow


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents/",
        "/api/v1/incidents/?page_size=2",
        "/api/v1/incidents/?page_size=3&ordering=occurred_at",
        "/api/v1/incidents/?ordering=-updated_at&page_size=4",
        "/api/v1/incidents/?category=shelling&occurred_after=2019-04-02&bbox=36,35,37,37",
        "/api/v1/violations/",
        "/api/v1/violations/?page_size=2&ordering=flagged_at",
        "/api/v1/violations/?status=confirmed",
    ],
)
@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_same_pages_as_drf(client, data, role, request, url, monkeypatch):
    client.force_authenticate(request.getfixturevalue(role))
    fast, slow = both_paths(client, url, monkeypatch)
    assert fast == slow
    assert typed(fast) == typed(slow)  # 36.0 stays a float, not 36
    assert sum(len(body["results"]) for body, _ in fast) > 0


def typed(value):
    """The JSON value with each number's type, since 36 == 36.0 in Python."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def test_confidential_sources_only_for_those_allowed(client, data, analyst, viewer, monkeypatch):
    client.force_authenticate(analyst)  # Analysts see confidential sources
    names = {s["name"] for i in pages(client, "/api/v1/incidents/")[0][0]["results"] for s in i["sources"]}
    assert "Witness" in names
    client.force_authenticate(viewer)
    body = json.dumps(pages(client, "/api/v1/incidents/"))
    assert "Witness" not in body


@override_settings(TRACKER_API_PUBLIC_READ=True)
def test_public_read_mode(client, data, monkeypatch):
    fast, slow = both_paths(client, "/api/v1/incidents/", monkeypatch)
    assert fast == slow
    results = fast[0][0]["results"]
    assert {i["status"] for i in results} == {"verified"}
    assert "Witness" not in json.dumps(results)
    fast, slow = both_paths(client, "/api/v1/violations/", monkeypatch)
    assert fast == slow and {v["status"] for v in fast[0][0]["results"]} == {"confirmed"}


def test_sources_in_date_order_then_id(client, data, analyst):
    client.force_authenticate(analyst)
    incident = pages(client, "/api/v1/incidents/?page_size=1")[0][0]["results"][0]
    assert [s["name"] for s in incident["sources"]][:2] == ["Earlier", incident["sources"][1]["name"]]
    assert incident["sources"][-1]["name"] == "Witness"  # no date: last, as PostgreSQL sorts NULLs


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents/?format=csv",
        "/api/v1/incidents/?format=geojson&page_size=3",
        "/api/v1/violations/?format=csv&page_size=2",
        "/api/v1/violations/?format=geojson",
    ],
)
@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_csv_and_geojson_pages_are_drfs_to_the_byte(client, data, role, request, url, monkeypatch):
    client.force_authenticate(request.getfixturevalue(role))
    with CaptureQueriesContext(connection) as queries:
        fast = client.get(url)
    assert any("t._json" in q["sql"] for q in queries.captured_queries), "fast path not taken"
    with monkeypatch.context() as patched:
        patched.setattr(viewsets, "sql_list_response", lambda view, request: None)
        slow = client.get(url)
    assert fast.status_code == slow.status_code == 200
    assert fast["Content-Type"] == slow["Content-Type"]
    assert fast.get("Link") == slow.get("Link")
    assert fast.content == slow.content


def test_indented_json_keeps_the_python_path(client, data, analyst):
    client.force_authenticate(analyst)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/incidents/", HTTP_ACCEPT="application/json; indent=2")
    assert not any("t._json" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("viewset", [IncidentViewSet, ViolationViewSet])
def test_every_field_compiles(viewset, analyst, rf):
    """A serializer field the compiler can't handle would silently drop to the slow path."""
    view = viewset(request=rf.get("/"), format_kwarg=None, action="list")
    view.request.user = analyst
    assert sqljson.page_text_expression(view) is not None


@pytest.mark.parametrize("viewset", [IncidentViewSet, ViolationViewSet])
@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_rows_text_is_json_build_objects_to_the_byte(data, viewset, role, request, rf):
    """The concatenated text of a row is what json_build_object gave the pages, spacing included."""
    view = viewset(request=rf.get("/"), format_kwarg=None, action="list")
    view.request.user = request.getfixturevalue(role)
    nested = view.sql_json_nested() if hasattr(view, "sql_json_nested") else {}
    overrides = getattr(view, "sql_json_fields", {})
    built = sqljson.object_sql(view.get_serializer(), viewset.queryset.model, overrides, nested)
    rows = viewset.queryset.order_by("pk").values_list(
        sqljson.page_text_expression(view), Cast(built, TextField())
    )
    assert rows and all(text == expected for text, expected in rows)
    assert any('"sources" : [{"id" : ' in text for text, _ in rows) or viewset is ViolationViewSet


def test_a_field_without_sql_keeps_the_python_path(analyst, rf, monkeypatch):
    view = ViolationViewSet(request=rf.get("/"), format_kwarg=None, action="list")
    view.request.user = analyst
    monkeypatch.setattr(ViolationViewSet, "sql_json_fields", {})  # `killed` is a model property
    assert sqljson.page_text_expression(view) is None


@pytest.fixture
def page_cache():
    caches["api-pages"].clear()
    yield caches["api-pages"]
    caches["api-pages"].clear()


@pytest.mark.django_db(transaction=True)
def test_page_kept_while_the_database_is_unchanged(client, page_cache, analyst, viewer):
    """Outside a transaction the second identical request costs one query (the snapshot), and
    any committed write — here a rename, through another connection's view of the data — is
    seen at once."""
    incident = IncidentFactory(place_name="Saraqeb")
    SourceFactory(incident=incident, name="Witness", confidential=True)
    client.force_authenticate(analyst)
    first = client.get("/api/v1/incidents/")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/api/v1/incidents/")
    assert second.content == first.content
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT pg_current_snapshot()::text"]

    Incident.objects.filter(pk=incident.pk).update(place_name="Saraqib")
    third = client.get("/api/v1/incidents/")
    assert json.loads(third.content)["results"][0]["place_name"] == "Saraqib"

    # Another user without the right to see confidential sources gets their own page.
    client.force_authenticate(viewer)
    assert b"Witness" not in client.get("/api/v1/incidents/").content
    client.force_authenticate(analyst)
    assert b"Witness" in client.get("/api/v1/incidents/").content


@pytest.mark.django_db(transaction=True)
def test_no_page_kept_inside_a_transaction(client, page_cache, analyst):
    from django.db import transaction

    client.force_authenticate(analyst)
    IncidentFactory(place_name="Saraqeb")
    with transaction.atomic():
        client.get("/api/v1/incidents/")
        Incident.objects.update(place_name="Saraqib")
        assert json.loads(client.get("/api/v1/incidents/").content)["results"][0]["place_name"] == "Saraqib"
    assert not page_cache._cache


@pytest.mark.django_db(transaction=True)
def test_a_kept_page_is_kept_per_format(client, page_cache, analyst):
    """The same URL asked as CSV, then as JSON (by the Accept header), gets each its own page."""
    IncidentFactory(place_name="Saraqeb")
    client.force_authenticate(analyst)
    as_csv = client.get("/api/v1/incidents/", HTTP_ACCEPT="text/csv")
    as_json = client.get("/api/v1/incidents/", HTTP_ACCEPT="application/json")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_json["Content-Type"] == "application/json"
    assert json.loads(as_json.content)["results"][0]["place_name"] == "Saraqeb"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents/",
        "/api/v1/incidents/?category=shelling&occurred_after=2019-04-02&bbox=36,35,37,37",
        "/api/v1/violations/?page_size=2",
    ],
)
@override_settings(TRACKER_API_PAGE_CACHE_SECONDS=0)
def test_a_page_built_fresh_is_one_query(client, data, viewer, url):
    client.force_authenticate(viewer)
    client.get(url)  # the user's permissions into their cache, the page's SQL compiled
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and json.loads(response.content)["results"]
    assert len(queries.captured_queries) == 1, [q["sql"][:200] for q in queries.captured_queries]
