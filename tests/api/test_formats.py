"""GeoJSON (RFC 7946), CSV with an HXL row, and the iCalendar feed."""

import csv
import datetime as dt
import io
import json
import re

import icalendar
import pytest
from django.urls import reverse
from shapely.geometry import shape

from incidents.csv import INCIDENT_CSV_FIELDS
from tests.factories import AreaFactory, ClauseFactory, DeadlineFactory, IncidentFactory, SourceFactory
from tracker.csv import VIOLATION_CSV_FIELDS
from tracker.models import Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC
HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")


@pytest.fixture
def data(db):
    located = IncidentFactory(latitude=35.8636, longitude=36.8006, place_name="سراقب")
    SourceFactory(incident=located, name="SNHR")
    unlocated = IncidentFactory(latitude=None, longitude=None, location_precision="country")
    area = AreaFactory(
        geometry={"type": "LineString", "coordinates": [[36.4, 35.8], [36.9, 35.85]]}, buffer_km=6
    )
    violation = Violation.objects.create(
        incident=located,
        clause=ClauseFactory(areas=[area]),
        confidence="high",
        flagged_at=dt.datetime(2019, 4, 3, tzinfo=UTC),
    )
    return {"located": located, "unlocated": unlocated, "area": area, "violation": violation}


def test_incidents_as_a_geojson_feature_collection(client, analyst, data):
    client.force_authenticate(analyst)
    response = client.get(reverse("api:incident-list"), {"format": "geojson"})
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 2
    by_id = {f["id"]: f for f in body["features"]}
    located = by_id[data["located"].pk]
    assert located["type"] == "Feature"
    assert located["geometry"] == {"type": "Point", "coordinates": [36.8006, 35.8636]}  # [lon, lat]
    assert shape(located["geometry"]).is_valid
    assert located["properties"]["place_name"] == "سراقب"
    assert by_id[data["unlocated"].pk]["geometry"] is None  # RFC 7946 §3.2: unlocated feature
    # The Accept header works as well as ?format=, and a detail is a single Feature.
    detail = client.get(
        reverse("api:incident-detail", args=[data["located"].pk]), HTTP_ACCEPT="application/geo+json"
    ).json()
    assert detail["type"] == "Feature" and detail["id"] == data["located"].pk


def test_areas_as_geojson_keep_the_stored_geometry_and_the_buffer(client, analyst, data):
    client.force_authenticate(analyst)
    feature = client.get(reverse("api:area-list"), {"format": "geojson"}).json()["features"][0]
    assert feature["geometry"] == {"type": "LineString", "coordinates": [[36.4, 35.8], [36.9, 35.85]]}
    assert feature["properties"]["buffer_km"] == "6.00"
    assert shape(feature["geometry"]).is_valid


def test_violations_as_geojson(client, analyst, data):
    client.force_authenticate(analyst)
    body = client.get(reverse("api:violation-list"), {"format": "geojson"}).json()
    assert body["type"] == "FeatureCollection"
    [feature] = body["features"]
    assert feature["geometry"]["coordinates"] == [36.8006, 35.8636]
    assert feature["properties"]["confidence"] == "high"


def read_csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_incidents_as_csv_with_an_hxl_row(client, analyst, data):
    client.force_authenticate(analyst)
    rows = read_csv(client.get(reverse("api:incident-list"), {"format": "csv"}))
    header, tags, *records = rows
    assert header == [*INCIDENT_CSV_FIELDS, "sources_json"]
    assert all(HXL_TAG.match(tag) for tag in tags), tags
    assert {"#geo+lat", "#geo+lon", "#adm1+name", "#event+type", "#affected+killed+civilians"} <= set(tags)
    assert len(records) == 2
    # The columns are the serializer's fields, then the sources in full: a CSV row and a JSON
    # item round-trip.
    item = client.get(reverse("api:incident-detail", args=[data["located"].pk])).json()
    assert list(item) == header[:-1]
    row = dict(zip(header, next(r for r in records if r[0] == str(data["located"].pk))))
    assert row["latitude"] == "35.8636" and row["longitude"] == "36.8006" and row["sources"] == "SNHR"
    assert row["place_name"] == "سراقب"
    assert json.loads(row["sources_json"]) == [
        {k: s[k] for k in ("name", "url", "published_on", "reliability", "confidential", "notes")}
        for s in item["sources"]
    ]


def test_violations_as_csv_with_an_hxl_row(client, analyst, data):
    client.force_authenticate(analyst)
    header, tags, *records = read_csv(client.get(reverse("api:violation-list"), HTTP_ACCEPT="text/csv"))
    assert header == VIOLATION_CSV_FIELDS
    assert all(HXL_TAG.match(tag) for tag in tags)
    assert len(records) == 1 and records[0][header.index("confidence")] == "high"


def test_errors_are_json_whatever_the_format(client, analyst):
    client.force_authenticate(analyst)
    for fmt in ("csv", "geojson"):
        response = client.get(reverse("api:incident-list"), {"format": fmt, "bbox": "x"})
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        assert "bbox" in response.json()
    unknown = client.get(reverse("api:incident-list"), {"format": "xlsx"})
    assert unknown.status_code == 406 and "geojson" in unknown.json()["detail"]


def test_the_deadline_calendar_parses(client, viewer, token_for):
    bare = DeadlineFactory(description="Heavy weapons withdrawn", due_date=dt.date(2018, 10, 10))
    timed = DeadlineFactory(
        description="Ceasefire starts", due_date=dt.date(2020, 3, 6), due_time=dt.time(0, 1)
    )
    extended = DeadlineFactory(
        description="Corridor parameters",
        due_date=dt.date(2020, 3, 12),
        status="extended",
        extended_to=dt.date(2020, 3, 20),
    )
    url = reverse("api:deadlines-ics")
    assert url == "/api/v1/deadlines.ics"
    assert client.get(url).status_code == 401
    assert client.get(url, {"token": "wrong"}).status_code == 401
    response = client.get(url, {"token": token_for(viewer)})  # calendar apps cannot send headers
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {e["uid"]: e for e in calendar.walk("VEVENT")}
    assert len(events) == 3
    event = events[f"deadline-{bare.pk}@ceasefire-tracker"]
    assert event.decoded("dtstart") == dt.date(2018, 10, 10)  # all-day: a bare date
    assert "Heavy weapons withdrawn" in str(event["summary"])
    assert events[f"deadline-{timed.pk}@ceasefire-tracker"].decoded("dtstart") == timed.due_at
    assert events[f"deadline-{extended.pk}@ceasefire-tracker"].decoded("dtstart") == dt.date(2020, 3, 20)
    # Filters apply to the feed too.
    filtered = client.get(url, {"token": token_for(viewer), "status": "extended"})
    assert len(icalendar.Calendar.from_ical(filtered.content).walk("VEVENT")) == 1


def test_the_fast_json_renderer_writes_what_drf_writes():
    import decimal

    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

    from core.api.renderers import JSONRenderer

    data = {
        "when": dt.datetime(2019, 4, 2, 9, 0, tzinfo=UTC),
        "day": dt.date(2019, 4, 2),
        "n": 10**30,
        "buffer": decimal.Decimal("6.50"),
        "name": "سراقب",
        "items": [1.5, None, True],
        "nested": {"a": []},
    }
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, analyst):
    IncidentFactory(description='=HYPERLINK("http://evil")', place_name="-", latitude=-33.5, longitude=-70.6)
    client.force_authenticate(analyst)
    header, _tags, row = read_csv(client.get(reverse("api:incident-list"), {"format": "csv"}))
    record = dict(zip(header, row))
    assert record["description"] == '\'=HYPERLINK("http://evil")'
    assert record["place_name"] == "'-"
    assert record["latitude"] == "-33.5"  # numbers stay numbers


def test_options_and_writes_answer_json_whatever_the_format(client, superuser):
    client.force_authenticate(superuser)
    response = client.options(reverse("api:area-list") + "?format=geojson")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    created = client.post(
        reverse("api:incident-list") + "?format=csv",
        {"occurred_at": "2019-04-02", "category": "shelling"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["category"] == "shelling"
