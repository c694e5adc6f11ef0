"""Filters, ordering and cursor pagination of the lists."""

import base64
import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import (
    AgreementFactory,
    AreaFactory,
    ClauseFactory,
    DeadlineFactory,
    IncidentFactory,
    PartyFactory,
    square,
)
from tracker.models import Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def ids(client, name, **params):
    response = client.get(reverse(f"api:{name}-list"), params)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.fixture
def world(db):
    syria, hts = PartyFactory(name="Syrian government"), PartyFactory(name="HTS")
    w = {
        "syria": syria,
        "hts": hts,
        "saraqib": IncidentFactory(
            occurred_at=dt.datetime(2019, 4, 2, 9, tzinfo=UTC),
            category="shelling",
            perpetrator=syria,
            latitude=35.8636,
            longitude=36.8006,
            description="Cluster munitions on the local council",
            weapons=["cluster_munitions"],
        ),
        "ariha": IncidentFactory(
            occurred_at=dt.datetime(2019, 4, 5, tzinfo=UTC),
            category="air_strike",
            perpetrator=None,
            latitude=35.817,
            longitude=36.6,
            place_name="Ariha",
            location_precision="near",
            status="under_review",
        ),
        "aleppo": IncidentFactory(
            occurred_at=dt.datetime(2018, 1, 1, tzinfo=UTC),
            category="shelling",
            perpetrator=hts,
            latitude=36.2,
            longitude=37.15,
            place_name="Aleppo",
        ),
        "nowhere": IncidentFactory(
            occurred_at=dt.datetime(2019, 4, 3, tzinfo=UTC),
            category="patrol",
            latitude=None,
            longitude=None,
            location_precision="country",
        ),
    }
    agreement = AgreementFactory(slug="sochi-2018")
    w["clause"] = ClauseFactory(
        agreement=agreement, obligated_parties=[syria], areas=[AreaFactory(geometry=square(36.8, 35.86))]
    )
    w["other_clause"] = ClauseFactory(prohibited_categories=["patrol_obstructed"])
    w["agreement"] = agreement
    flagged = dt.datetime(2019, 4, 6, tzinfo=UTC)
    w["v_high"] = Violation.objects.create(
        incident=w["saraqib"], clause=w["clause"], confidence="high", flagged_at=flagged
    )
    w["v_low"] = Violation.objects.create(
        incident=w["ariha"],
        clause=w["clause"],
        confidence="low",
        status="confirmed",
        flagged_at=flagged + dt.timedelta(hours=1),
    )
    return w


def test_incident_filters(client, superuser, world):
    w = world
    client.force_authenticate(superuser)
    assert ids(client, "incident", category="shelling") == {w["saraqib"].pk, w["aleppo"].pk}
    assert ids(client, "incident", category="shelling,patrol") == {
        w["saraqib"].pk,
        w["aleppo"].pk,
        w["nowhere"].pk,
    }
    assert ids(client, "incident", occurred_after="2019-04-01", occurred_before="2019-04-04") == {
        w["saraqib"].pk,
        w["nowhere"].pk,
    }
    assert ids(client, "incident", occurred_after="2019-04-02T09:00:00Z") == {
        w["saraqib"].pk,
        w["ariha"].pk,
        w["nowhere"].pk,
    }
    assert ids(client, "incident", perpetrator=w["hts"].pk) == {w["aleppo"].pk}
    assert ids(client, "incident", perpetrator_unknown="true") == {w["ariha"].pk}
    assert ids(client, "incident", status="under_review") == {w["ariha"].pk}
    assert ids(client, "incident", location_precision="near,country") == {w["ariha"].pk, w["nowhere"].pk}
    assert ids(client, "incident", bbox="36.5,35.7,36.9,35.9") == {w["saraqib"].pk, w["ariha"].pk}
    assert ids(
        client, "incident", bbox="36.5,35.7,36.9,35.9", category="shelling", occurred_after="2019-01-01"
    ) == {w["saraqib"].pk}
    assert ids(client, "incident", q="cluster COUNCIL") == {w["saraqib"].pk}
    assert ids(client, "incident", q="ariha") == {w["ariha"].pk}
    assert ids(client, "incident", weapon="cluster_munitions") == {w["saraqib"].pk}
    assert ids(client, "incident", clause=w["clause"].pk) == {w["saraqib"].pk, w["ariha"].pk}
    assert ids(client, "incident", agreement=w["agreement"].pk) == {w["saraqib"].pk, w["ariha"].pk}
    assert ids(client, "incident", clause=w["other_clause"].pk) == set()


def test_violation_filters(client, superuser, world):
    w = world
    client.force_authenticate(superuser)
    assert ids(client, "violation", status="confirmed") == {w["v_low"].pk}
    assert ids(client, "violation", confidence="high") == {w["v_high"].pk}
    assert ids(client, "violation", clause=w["clause"].pk) == {w["v_high"].pk, w["v_low"].pk}
    assert ids(client, "violation", clause=w["other_clause"].pk) == set()
    assert ids(client, "violation", agreement=w["agreement"].pk) == {w["v_high"].pk, w["v_low"].pk}
    assert ids(client, "violation", party=w["syria"].pk) == {w["v_high"].pk}
    assert ids(client, "violation", occurred_after="2019-04-04") == {w["v_low"].pk}
    assert ids(client, "violation", occurred_before="2019-04-04") == {w["v_high"].pk}
    assert ids(client, "violation", bbox="36.7,35.8,36.9,35.9") == {w["v_high"].pk}
    assert ids(client, "violation", location_precision="near") == {w["v_low"].pk}


def test_agreement_side_filters(client, superuser, world):
    w = world
    client.force_authenticate(superuser)
    assert ids(client, "clause", prohibits="patrol_obstructed") == {w["other_clause"].pk}
    assert ids(client, "clause", party=w["syria"].pk) == {w["clause"].pk}
    assert ids(client, "clause", agreement_slug="sochi-2018") == {w["clause"].pk}
    assert ids(client, "clause", in_force_at="2017-01-01T00:00:00Z") == set()
    assert w["clause"].pk in ids(client, "clause", in_force_at="2019-01-01T00:00:00Z")
    assert ids(client, "agreement", slug="sochi-2018") == {w["agreement"].pk}
    assert ids(client, "party", q="hts") == {w["hts"].pk}
    area = w["clause"].areas.get()
    assert area.pk in ids(client, "area", bbox="36.85,35.8,37.5,36.5")
    assert area.pk not in ids(client, "area", bbox="40,30,41,31")
    early = DeadlineFactory(due_date=dt.date(2018, 10, 10))
    late = DeadlineFactory(due_date=dt.date(2018, 12, 31), status="missed")
    assert ids(client, "deadline", due_before="2018-11-01") == {early.pk}
    assert ids(client, "deadline", status="missed") == {late.pk}


@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "10,0,0,10", "0,0,200,10", "nan,0,1,1", "1,2,3,4,5", ",,,"]
)
def test_a_malformed_bbox_is_a_400_that_says_why(client, superuser, bbox):
    client.force_authenticate(superuser)
    for name in ("incident", "violation", "area"):
        response = client.get(reverse(f"api:{name}-list"), {"bbox": bbox})
        assert response.status_code == 400
        assert "minlon,minlat,maxlon,maxlat" in response.json()["bbox"][0]


@pytest.mark.parametrize(
    "params",
    [
        {"occurred_after": "yesterday"},
        {"category": "picnic"},
        {"perpetrator": "x"},
        {"perpetrator": "99999999999999999999999"},
        {"status": "verified,nope"},
        {"ordering": "description"},
        {"page_size": "0"},
        {"page_size": "1001"},
        {"page_size": "ten"},
        {"cursor": "garbage"},
    ],
)
def test_malformed_filters_are_400(client, superuser, world, params):
    client.force_authenticate(superuser)
    response = client.get(reverse("api:incident-list"), params)
    assert response.status_code == 400, (params, response.status_code)
    assert response.json()


def test_a_forged_cursor_is_a_400(client, superuser, world):
    client.force_authenticate(superuser)
    forged = base64.b64encode(b"o=0&r=0&p=not-a-date").decode()
    response = client.get(reverse("api:incident-list"), {"cursor": forged})
    assert response.status_code == 400


def test_cursor_pages_walk_every_row_once_in_order(client, superuser, settings):
    settings.TRACKER_API_MAX_PAGE_SIZE = 3
    for day in range(1, 9):
        IncidentFactory(occurred_at=dt.datetime(2019, 4, day % 4 + 1, tzinfo=UTC))  # ties on occurred_at
    client.force_authenticate(superuser)
    seen, url, pages = [], reverse("api:incident-list") + "?page_size=3", 0
    while url:
        body = client.get(url).json()
        assert "count" not in body  # no COUNT over the table
        seen += [(item["occurred_at"], item["id"]) for item in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3 and len(seen) == 8 and len(set(seen)) == 8
    assert seen == sorted(seen, reverse=True)
    assert client.get(reverse("api:incident-list"), {"page_size": 4}).status_code == 400


def test_ordering(client, superuser, world):
    client.force_authenticate(superuser)
    body = client.get(reverse("api:incident-list"), {"ordering": "occurred_at"}).json()
    dates = [item["occurred_at"] for item in body["results"]]
    assert dates == sorted(dates)


@pytest.mark.parametrize(
    "value", ["1564-07-20T08:17:31+20:35", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
)
def test_date_times_beyond_what_the_database_takes_are_400_or_converted(client, superuser, value):
    client.force_authenticate(superuser)
    response = client.get(reverse("api:incident-list"), {"occurred_before": value})
    assert response.status_code in (200, 400)
    assert response.json()
