"""The export (`/api/v1/<list>/export/`) is the list followed to the end, in one response."""

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import override_settings

from core.api import export
from tests.factories import ClauseFactory, IncidentFactory, PartyFactory, SourceFactory, UserFactory
from tracker.models import Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC
ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def data(db):
    party = PartyFactory(name='Front "Quoted" \\ Ünïcode')
    author = UserFactory(username="entered-by")
    clause = ClauseFactory(number="3", prohibited_categories=["shelling"])
    places = ['=HYPERLINK("http://x")', "-1", "'=already", "+33 road", "@home", "-5 km north", "Saraqib"]
    for n in range(7):
        incident = IncidentFactory(
            occurred_at=dt.datetime(2019, 4, 1 + n % 3, 6, 30, n, 123456 * (n % 2), tzinfo=UTC),
            occurred_until=dt.datetime(2019, 4, 5, tzinfo=UTC) if n % 2 else None,
            perpetrator=party if n % 3 else None,
            created_by=author if n % 2 else None,
            latitude=None if n == 6 else (36.0 if n == 0 else 35.5 + n / 7),
            longitude=None if n == 6 else 36.123456789,
            weapons=["artillery", "cluster_munitions"] if n % 2 else [],
            place_name=places[n],
            admin2="" if n % 2 else "Ariha",
            description=f'Line one\nline two\t"quoted" <b>{n}</b> ☂, a;b',
            category="shelling",
            status="verified" if n % 2 else "draft",
            killed_civilians=n,
            killed_unknown=2,
            injured_combatants=n % 2,
        )
        if n != 4:
            SourceFactory(incident=incident, name=f"=Outlet {n}", published_on=dt.date(2019, 4, 2))
            SourceFactory(incident=incident, name="Witness", confidential=True, published_on=None)
            SourceFactory(
                incident=incident, name='Earlier "q"\n', notes="a\\b", published_on=dt.date(2019, 3, 30)
            )
        Violation.objects.create(
            incident=incident,
            clause=clause,
            confidence=("high", "medium", "low")[n % 3],
            reasons=[{"rule": "category", "detail": "shelling ☂"}, "=plain"] if n % 2 else [],
            status=("flagged", "confirmed")[n % 2],
            flagged_at=incident.occurred_at + dt.timedelta(hours=1),
            review_note="-note" if n % 3 else "",
        )


def body(response):
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def list_pages(client, url):
    """The bodies of every page of a list, following its Link header's next."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.content)
        link = response.get("Link", "")
        url = next(
            (part.split(";")[0].strip("<> ") for part in link.split(",") if 'rel="next"' in part), None
        )
    return pages


@pytest.fixture(params=["database", "portable"] if ON_POSTGRES else ["portable"])
def path(request, monkeypatch):
    """Both paths on PostgreSQL: the database's and the portable one every database has."""
    if request.param == "portable":
        monkeypatch.setattr(export, "exporter_for", lambda connection: export.PortableExporter())
    return request.param


QUERIES = [
    ("incidents", ""),
    ("incidents", "ordering=occurred_at"),
    ("incidents", "category=shelling&occurred_after=2019-04-02&bbox=36,35,37,37"),
    ("violations", ""),
    ("violations", "status=confirmed&ordering=flagged_at"),
]


@pytest.mark.parametrize(("name", "query"), QUERIES)
@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_json_is_the_list_followed_to_the_end(client, data, path, role, request, name, query):
    client.force_authenticate(request.getfixturevalue(role))
    items = [
        item
        for page in list_pages(client, f"/api/v1/{name}/?page_size=2&{query}")
        for item in json.loads(page)["results"]
    ]
    exported = json.loads(body(client.get(f"/api/v1/{name}/export/?{query}")))
    assert exported == items and items


@pytest.mark.parametrize(("name", "query"), QUERIES)
@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_csv_is_the_lists_csv_to_the_byte(client, data, path, role, request, name, query):
    client.force_authenticate(request.getfixturevalue(role))
    pages = list_pages(client, f"/api/v1/{name}/?format=csv&page_size=3&{query}")
    header = b"\r\n".join(pages[0].split(b"\r\n", 2)[:2]) + b"\r\n"  # column names and HXL tags
    expected = header + b"".join(page[len(header) :] for page in pages)
    response = client.get(f"/api/v1/{name}/export/?format=csv&{query}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body(response) == expected
    assert len(list(csv.reader(io.StringIO(expected.decode())))) > 2


@pytest.mark.parametrize(("name", "query"), QUERIES)
def test_geojson_is_the_lists_features(client, data, path, analyst, name, query):
    client.force_authenticate(analyst)
    features = [
        feature
        for page in list_pages(client, f"/api/v1/{name}/?format=geojson&page_size=2&{query}")
        for feature in json.loads(page)["features"]
    ]
    response = client.get(f"/api/v1/{name}/export/?format=geojson&{query}")
    assert response["Content-Type"] == "application/geo+json"
    exported = json.loads(body(response))
    assert exported == {"type": "FeatureCollection", "features": features}
    assert features and (query or any(feature["geometry"] is None for feature in features))


def test_csv_cells_never_run_as_formulas(client, data, path, analyst):
    client.force_authenticate(analyst)
    rows = list(
        csv.DictReader(io.StringIO(body(client.get("/api/v1/incidents/export/?format=csv")).decode()))
    )
    places = {row["place_name"] for row in rows[1:]}  # after the HXL row
    assert places == {
        '\'=HYPERLINK("http://x")',
        "-1",
        "''=already",
        "'+33 road",
        "'@home",
        "'-5 km north",
        "Saraqib",
    }
    assert {row["sources"] for row in rows[1:] if row["sources"]} >= {'Earlier "q"\n;\'=Outlet 0'}
    assert all("Witness" not in row["sources"] for row in rows[1:])
    assert any('"confidential": true' in row["sources_json"] for row in rows[1:])


def test_confidential_sources_only_for_those_allowed(client, data, path, analyst, viewer):
    client.force_authenticate(analyst)
    for fmt in ("json", "csv", "geojson"):
        assert b"Witness" in body(client.get(f"/api/v1/incidents/export/?format={fmt}"))
    client.force_authenticate(viewer)
    for fmt in ("json", "csv", "geojson"):
        assert b"Witness" not in body(client.get(f"/api/v1/incidents/export/?format={fmt}"))


def test_only_those_who_may_read_the_list(client, data, user_with_perms):
    assert client.get("/api/v1/incidents/export/").status_code in (401, 403)
    client.force_authenticate(user_with_perms("incidents.view_source"))
    assert client.get("/api/v1/incidents/export/?format=csv").status_code == 403
    client.force_authenticate(user_with_perms("tracker.view_violation", username="v"))
    assert client.get("/api/v1/violations/export/").status_code == 200


@override_settings(TRACKER_API_PUBLIC_READ=True)
def test_public_read_mode_exports_what_the_public_list_shows(client, data, path):
    incidents = json.loads(body(client.get("/api/v1/incidents/export/")))
    assert incidents and {i["status"] for i in incidents} == {"verified"}
    assert b"Witness" not in body(client.get("/api/v1/incidents/export/?format=csv"))
    violations = json.loads(body(client.get("/api/v1/violations/export/?format=geojson")))["features"]
    assert violations and {v["properties"]["status"] for v in violations} == {"confirmed"}


def test_an_empty_list_is_a_valid_empty_file(client, data, path, analyst):
    client.force_authenticate(analyst)
    assert json.loads(body(client.get("/api/v1/incidents/export/?category=patrol"))) == []
    geojson = json.loads(body(client.get("/api/v1/incidents/export/?category=patrol&format=geojson")))
    assert geojson == {"type": "FeatureCollection", "features": []}
    assert body(client.get("/api/v1/incidents/export/?category=patrol&format=csv")).count(b"\r\n") == 2


def test_streamed_in_chunks_not_built_whole(client, data, path, analyst, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_BYTES", 100)
    monkeypatch.setattr(export, "BATCH_ROWS", 2)
    client.force_authenticate(analyst)
    response = client.get("/api/v1/incidents/export/?format=csv")
    chunks = list(response.streaming_content)
    assert len(chunks) >= 4  # a chunk per row or two, never the file at once
    assert response["Content-Disposition"] == 'attachment; filename="incidents.csv"'


def test_bad_filters_and_formats_are_refused(client, data, analyst):
    client.force_authenticate(analyst)
    assert client.get("/api/v1/incidents/export/?bbox=1,2").status_code == 400
    assert client.get("/api/v1/incidents/export/?ordering=place_name").status_code == 400
    assert client.get("/api/v1/violations/export/?format=ics").status_code == 406
