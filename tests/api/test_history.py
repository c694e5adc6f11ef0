"""`GET <resource>/{id}/history/`: the admin's history pages through the API."""

import pytest
from django.urls import reverse

from incidents.models import Source
from tests.factories import (
    AreaFactory,
    ClauseFactory,
    DeadlineFactory,
    IncidentFactory,
    PartyFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def history_url(basename, obj):
    return reverse(f"api:{basename}-history", args=[obj.pk])


def test_records_come_newest_first_with_their_changes(client, reporter):
    client.force_authenticate(reporter)
    created = client.post(
        reverse("api:incident-list"),
        {"occurred_at": "2019-04-02T09:00:00Z", "category": "shelling", "description": "First report"},
        format="json",
    ).json()
    url = reverse("api:incident-detail", args=[created["id"]])
    client.patch(url, {"description": "Second report", "killed_civilians": 3}, format="json")
    client.patch(url, {"place_name": "Saraqib"}, format="json")

    response = client.get(url + "history/")
    assert response.status_code == 200
    records = response.json()["results"]
    assert [r["history_type"] for r in records] == ["changed", "changed", "created"]
    assert records[0]["changes"] == [{"field": "place_name", "old": "", "new": "Saraqib"}]
    assert records[1]["changes"] == [
        {"field": "description", "old": "First report", "new": "Second report"},
        {"field": "killed_civilians", "old": 0, "new": 3},
    ]
    assert all(r["history_user"] == "reporter" for r in records)
    assert records[0]["history_id"] > records[1]["history_id"] > records[2]["history_id"]
    assert records[0]["history_date"].endswith("Z")
    first = {c["field"]: c for c in records[2]["changes"]}
    assert first["occurred_at"] == {"field": "occurred_at", "old": None, "new": "2019-04-02T09:00:00Z"}
    assert first["description"]["new"] == "First report"
    assert "created_by" not in first and "updated_at" not in first  # not editable: not compared


def test_the_change_reason_and_many_to_many_fields(client, coordinator):
    clause = ClauseFactory()
    first, second = AreaFactory(), AreaFactory()
    clause.areas.set([second, first])
    client.force_authenticate(coordinator)
    response = client.patch(
        reverse("api:clause-detail", args=[clause.pk]), {"areas": [first.pk]}, format="json"
    )
    assert response.status_code == 200
    records = client.get(history_url("clause", clause)).json()["results"]
    areas = {"field": "areas", "old": sorted([first.pk, second.pk]), "new": [first.pk]}
    assert areas in records[0]["changes"]

    incident = IncidentFactory()
    incident._change_reason = "Bulk action: verified"
    incident.status = "disputed"
    incident.save()
    records = client.get(history_url("incident", incident)).json()["results"]
    assert records[0]["history_change_reason"] == "Bulk action: verified"
    assert records[0]["changes"] == [{"field": "status", "old": "verified", "new": "disputed"}]
    assert records[0]["history_user"] is None


def test_pages_follow_the_cursor(client, viewer):
    party = PartyFactory(name="Government of Syria")
    for n in range(4):
        party.description = f"version {n}"
        party.save()
    client.force_authenticate(viewer)
    response = client.get(history_url("party", party), {"page_size": 2})
    seen = []
    while True:
        body = response.json()
        assert len(body["results"]) <= 2
        seen += [r["history_id"] for r in body["results"]]
        if not body["next"]:
            break
        response = client.get(body["next"])
    assert seen == sorted(party.history.values_list("history_id", flat=True), reverse=True)
    assert len(seen) == 5
    # The last record of a page is compared with the first of the next, not shown as created.
    second_page = client.get(history_url("party", party), {"page_size": 2}).json()["next"]
    assert client.get(second_page).json()["results"][0]["history_type"] == "changed"
    assert client.get(second_page).json()["results"][0]["changes"][0]["field"] == "description"


def test_history_needs_the_view_permission(client, user_with_perms, settings):
    incident = IncidentFactory(status="verified")
    url = history_url("incident", incident)
    assert client.get(url).status_code == 401
    client.force_authenticate(user_with_perms())
    assert client.get(url).status_code == 403
    client.force_authenticate(user_with_perms("agreements.view_party", username="party-viewer"))
    assert client.get(url).status_code == 403
    client.force_authenticate(user_with_perms("incidents.view_incident", username="incident-viewer"))
    assert client.get(url).status_code == 200
    assert client.get(reverse("api:incident-history", args=[999999])).status_code == 404


def test_history_is_never_public(client, settings):
    settings.TRACKER_API_PUBLIC_READ = True
    incident = IncidentFactory(status="verified")
    party = incident.perpetrator
    assert client.get(reverse("api:incident-detail", args=[incident.pk])).status_code == 200
    assert client.get(history_url("incident", incident)).status_code == 401
    assert client.get(history_url("party", party)).status_code == 401


def test_every_model_with_history_has_the_endpoint(client, superuser):
    clause = ClauseFactory(areas=[AreaFactory()])
    client.force_authenticate(superuser)
    for basename, obj in [
        ("party", PartyFactory()),
        ("agreement", clause.agreement),
        ("area", clause.areas.get()),
        ("clause", clause),
        ("deadline", DeadlineFactory(clause=clause)),
        ("incident", IncidentFactory()),
    ]:
        response = client.get(history_url(basename, obj))
        assert response.status_code == 200, basename
        assert response.json()["results"][-1]["history_type"] == "created", basename


def test_an_incidents_history_shows_nothing_of_its_sources(client, viewer):
    incident = IncidentFactory()
    SourceFactory(incident=incident, name="Witness Abu Khaled", confidential=True, notes="at the checkpoint")
    incident.description = "Shelling reported by a witness"
    incident.save()
    client.force_authenticate(viewer)
    response = client.get(history_url("incident", incident))
    assert response.status_code == 200
    assert b"Abu Khaled" not in response.content and b"checkpoint" not in response.content


@pytest.fixture
def sources(db):
    """An incident's sources: public, confidential, made public later, made confidential later
    (by a bulk write that left no history record), and deleted."""
    incident = IncidentFactory()
    public = SourceFactory(incident=incident, name="SNHR")
    public.reliability = "B"
    public.save()
    SourceFactory(incident=incident, name="Witness Abu Khaled", confidential=True)
    revealed = SourceFactory(incident=incident, name="Witness Umm Ali", confidential=True)
    revealed.name, revealed.confidential = "A local council member", False
    revealed.save()
    hidden_later = SourceFactory(incident=incident, name="Witness Abu Omar")
    Source.objects.filter(pk=hidden_later.pk).update(confidential=True)
    gone = SourceFactory(incident=incident, name="Enab Baladi")
    gone_id = gone.pk
    gone.delete()
    return {"incident": incident, "public": public, "gone_id": gone_id}


def source_history(client, incident):
    response = client.get(reverse("api:incident-source-history", args=[incident.pk]))
    assert response.status_code == 200, response.content
    return response


def test_source_history_shows_every_record_to_an_analyst(client, analyst, sources):
    client.force_authenticate(analyst)
    records = source_history(client, sources["incident"]).json()["results"]
    assert len(records) == 8
    assert [r["history_type"] for r in records][:2] == ["deleted", "created"]
    changed = next(
        r for r in records if r["source"] == sources["public"].pk and r["history_type"] == "changed"
    )
    assert changed["changes"] == [{"field": "reliability", "old": "F", "new": "B"}]
    assert b"Abu Khaled" in source_history(client, sources["incident"]).content


def test_source_history_hides_any_source_ever_confidential(client, viewer, sources):
    client.force_authenticate(viewer)
    response = source_history(client, sources["incident"])
    assert {r["source"] for r in response.json()["results"]} == {sources["public"].pk, sources["gone_id"]}
    for secret in (b"Abu Khaled", b"Umm Ali", b"Abu Omar", b"local council"):
        assert secret not in response.content


def test_source_history_needs_the_view_permission_of_sources(client, user_with_perms, sources):
    url = reverse("api:incident-source-history", args=[sources["incident"].pk])
    assert client.get(url).status_code == 401
    client.force_authenticate(user_with_perms("incidents.view_incident"))
    assert client.get(url).status_code == 403
    client.force_authenticate(
        user_with_perms("incidents.view_incident", "incidents.view_source", username="x")
    )
    assert client.get(url).status_code == 200
