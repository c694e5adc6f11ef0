"""The events API: reading, merging and splitting with the roles, and the history it leaves."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from events import services
from events.choices import PairState
from events.models import CandidatePair, Event, EventDecision
from incidents.models import Incident
from tests.factories import ClauseFactory
from tracker import services as engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def strike(report):
    """One strike in two datasets, grouped; and a third report grouped with them by a monitor."""
    reports = [
        report("ucdp", killed_civilians=4),
        report("acled", km_north=2, killed_civilians=9),
        report("", km_north=1),
    ]
    services.group_all()
    return [Incident.objects.get(id=r.id) for r in reports]


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_viewer_reads_events_with_members_and_pair_scores(strike, viewer):
    client = client_for(viewer)
    listing = client.get("/api/v1/events/?category=air_strike").json()
    assert [e["reports"] for e in listing["results"]] == [3]
    event = client.get(f"/api/v1/events/{strike[0].event}/").json()
    assert sorted(m["id"] for m in event["members"]) == sorted(i.id for i in strike)
    assert event["members"][0]["id"] == event["lead"]
    assert len(event["pairs"]) == 3 and all(p["score"] > 0 and p["reasons"] for p in event["pairs"])
    assert (event["killed"], event["killed_min"], event["killed_max"]) == (4, 0, 9)
    assert client.get("/api/v1/events/?category=shelling").json()["results"] == []


def test_a_viewer_may_not_split(strike, viewer):
    response = client_for(viewer).post(
        f"/api/v1/events/{strike[0].event}/split/", {"incidents": [strike[2].id]}, format="json"
    )
    assert response.status_code == 403


def test_an_analyst_splits_and_the_job_never_groups_them_again(strike, analyst):
    client = client_for(analyst)
    event_id = strike[0].event
    response = client.post(
        f"/api/v1/events/{event_id}/split/",
        {"incidents": [strike[2].id], "note": "another strike"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Incident.objects.get(id=strike[2].id).event is None
    assert Incident.objects.get(id=strike[0].id).event == Incident.objects.get(id=strike[1].id).event
    split_pairs = CandidatePair.objects.filter(state=PairState.SPLIT)
    assert split_pairs.count() == 2 and {p.decided_by for p in split_pairs} == {analyst}
    services.group_all()
    services.group_incidents([strike[2].id])
    assert Incident.objects.get(id=strike[2].id).event is None
    decision = EventDecision.objects.get()
    assert (decision.kind, decision.incidents, decision.decided_by, decision.note) == (
        "split",
        [strike[2].id],
        analyst,
        "another strike",
    )
    history = client.get(f"/api/v1/events/{Incident.objects.get(id=strike[0].id).event}/").json()["decisions"]
    assert [d["kind"] for d in history] == ["split"]


def test_an_analyst_merges_back_and_the_merge_is_kept(strike, analyst):
    client = client_for(analyst)
    event_id = strike[0].event
    client.post(f"/api/v1/events/{event_id}/split/", {"incidents": [strike[2].id]}, format="json")
    event_id = Incident.objects.get(id=strike[0].id).event
    response = client.post(f"/api/v1/events/{event_id}/merge/", {"incidents": [strike[2].id]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reports"] == 3
    services.group_all()
    assert Event.objects.get().reports == 3
    assert not CandidatePair.objects.filter(state=PairState.SPLIT).exists()
    assert [d.kind for d in EventDecision.objects.order_by("id")] == ["split", "merge"]


def test_an_analyst_groups_reports_the_job_left_apart(report, analyst):
    a = report("ucdp", category="armed_clash", perpetrator=None)
    b = report("acled", km_north=4)
    services.group_all()
    assert CandidatePair.objects.get().state == PairState.PENDING
    response = client_for(analyst).post("/api/v1/events/group/", {"incidents": [a.id, b.id]}, format="json")
    assert response.status_code == 201, response.content
    assert CandidatePair.objects.get().state == PairState.MERGED
    services.group_all()
    assert Incident.objects.get(id=a.id).event == Incident.objects.get(id=b.id).event is not None


@pytest.mark.parametrize(
    "body",
    [{}, {"incidents": []}, {"incidents": ["x"]}, {"incidents": [999999]}, {"incidents": "1"}],
)
def test_bad_requests_are_400_with_field_messages(strike, analyst, body):
    response = client_for(analyst).post(f"/api/v1/events/{strike[0].event}/split/", body, format="json")
    assert response.status_code == 400
    assert "incidents" in response.json()


def test_splitting_every_report_or_a_stranger_is_refused(strike, analyst, report):
    client = client_for(analyst)
    url = f"/api/v1/events/{strike[0].event}/split/"
    everyone = client.post(url, {"incidents": [i.id for i in strike]}, format="json")
    stranger = client.post(url, {"incidents": [report("other", km_north=300).id]}, format="json")
    assert everyone.status_code == stranger.status_code == 400


def test_incidents_and_violations_carry_their_event_in_json_csv_and_geojson(strike, viewer):
    ClauseFactory(prohibited_categories=["air_strike"])
    engine.scan_violations(full=True)
    client = client_for(viewer)
    event_id = strike[0].event
    for url in ("/api/v1/incidents/", "/api/v1/violations/"):
        rows = client.get(url).json()["results"]
        assert {row["event"] for row in rows} == {event_id}
        features = client.get(url + "?format=geojson").json()["features"]
        assert {f["properties"]["event"] for f in features} == {event_id}
        text = client.get(url + "?format=csv").content.decode()
        lines = list(csv.DictReader(io.StringIO(text)))
        assert lines[0]["event"] == "#event+group+id"
        assert {line["event"] for line in lines[1:]} == {str(event_id)}
        assert len(client.get(f"{url}?event={event_id}").json()["results"]) == 3
    assert client.get("/api/v1/incidents/?grouped=false").json()["results"] == []


def test_the_pair_queue_lists_what_waits_for_an_analyst(report, analyst):
    report("ucdp", category="armed_clash", perpetrator=None)
    report("acled", km_north=4)
    services.group_all()
    rows = client_for(analyst).get("/api/v1/event-pairs/?state=pending").json()["results"]
    assert len(rows) == 1 and rows[0]["state"] == "pending"


def test_events_are_not_public(strike, settings):
    """An event's figures come from all its reports, verified or not: public read mode shows none."""
    settings.TRACKER_API_PUBLIC_READ = True
    Incident.objects.filter(id=strike[1].id).update(status="draft")
    anonymous = APIClient()
    assert anonymous.get("/api/v1/events/").status_code == 401
    assert anonymous.get(f"/api/v1/events/{strike[0].event}/").status_code == 401
    assert anonymous.get(f"/api/v1/events/?incident={strike[1].id}").status_code == 401


def test_a_rejected_report_is_not_grouped_and_nothing_is_written(report, analyst):
    a = report("ucdp", status="rejected")
    b = report("acled", km_north=40)
    c = report("other", km_north=80)
    response = client_for(analyst).post(
        "/api/v1/events/group/", {"incidents": [a.id, b.id, c.id]}, format="json"
    )
    assert response.status_code == 400 and "incidents" in response.json()
    assert not EventDecision.objects.exists() and not Event.objects.exists()
    assert not CandidatePair.objects.filter(state=PairState.MERGED).exists()


def test_grouping_reports_already_one_event_is_refused(strike, analyst):
    response = client_for(analyst).post(
        "/api/v1/events/group/", {"incidents": [strike[0].id, strike[1].id]}, format="json"
    )
    assert response.status_code == 400 and "incidents" in response.json()
    assert not EventDecision.objects.exists()


def test_an_id_beyond_64_bits_is_a_400(analyst):
    response = client_for(analyst).post(
        "/api/v1/events/group/", {"incidents": [2**63, 10**30]}, format="json"
    )
    assert response.status_code == 400 and "incidents" in response.json()
