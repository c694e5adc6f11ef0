"""Clause links through the API: validated like the admin's inline, and saving one saves its
incident as the admin does (updated_at, history, the engine's re-evaluation)."""

import datetime as dt

import pytest
from django.urls import reverse

from incidents.models import ClauseLink, Incident
from tests.factories import AgreementFactory, ClauseFactory, ClauseLinkFactory, IncidentFactory
from tracker import signals

pytestmark = pytest.mark.django_db
LIST = reverse("api:clauselink-list")


def detail(link):
    return reverse("api:clauselink-detail", args=[link.pk])


@pytest.fixture
def evaluations(monkeypatch):
    """The incident ids the engine was asked to re-evaluate."""
    asked = []
    monkeypatch.setattr(
        signals, "enqueue_on_commit", lambda task, incident_ids=(), **kw: asked.extend(incident_ids)
    )
    return asked


def test_a_duplicate_link_is_a_400_saying_so(client, reporter):
    link = ClauseLinkFactory()
    client.force_authenticate(reporter)
    response = client.post(LIST, {"incident": link.incident_id, "clause": link.clause_id}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "__all__": ["Clause logged by staff with this Incident and Clause already exists."]
    }
    assert ClauseLink.objects.count() == 1


def test_moving_a_link_onto_an_existing_pair_is_a_400(client, reporter):
    link = ClauseLinkFactory()
    other = ClauseLinkFactory(incident=link.incident)
    client.force_authenticate(reporter)
    response = client.patch(detail(other), {"clause": link.clause_id}, format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["__all__"][0]


@pytest.mark.parametrize("value", [999999, "x", None, -1, 2**70])
def test_bad_ids_are_a_400_naming_the_field(client, reporter, value):
    client.force_authenticate(reporter)
    response = client.post(LIST, {"incident": value, "clause": value}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"incident", "clause"}
    assert not ClauseLink.objects.exists()


def test_created_by_is_the_requesting_user_and_read_only(client, reporter, analyst):
    client.force_authenticate(reporter)
    data = {"incident": IncidentFactory().pk, "clause": ClauseFactory().pk, "created_by": analyst.username}
    body = client.post(LIST, data, format="json").json()
    assert body["created_by"] == "reporter"
    assert ClauseLink.objects.get().created_by == reporter
    client.patch(
        reverse("api:clauselink-detail", args=[body["id"]]), {"created_by": "analyst"}, format="json"
    )
    assert ClauseLink.objects.get().created_by == reporter


def test_a_viewer_reads_links_but_cannot_write_them(client, viewer):
    link = ClauseLinkFactory()
    client.force_authenticate(viewer)
    assert client.get(detail(link)).status_code == 200
    assert client.delete(detail(link)).status_code == 403
    data = {"incident": IncidentFactory().pk, "clause": ClauseFactory().pk}
    assert client.post(LIST, data, format="json").status_code == 403


def test_links_are_not_public(client, settings):
    settings.TRACKER_API_PUBLIC_READ = True
    link = ClauseLinkFactory(incident=IncidentFactory(status="verified"))
    assert client.get(LIST).status_code == 401
    assert client.get(detail(link)).status_code == 401
    assert client.get(reverse("api:incident-list")).status_code == 200  # the mode is on


def test_logging_a_link_saves_its_incident_as_the_admin_does(client, reporter, evaluations):
    incident = IncidentFactory()
    Incident.objects.filter(pk=incident.pk).update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    clause = ClauseFactory()
    evaluations.clear()
    client.force_authenticate(reporter)
    response = client.post(LIST, {"incident": incident.pk, "clause": clause.pk}, format="json")
    assert response.status_code == 201
    incident.refresh_from_db()
    assert incident.updated_at.year > 2020
    assert incident.history.first().history_change_reason == f"Logged against clause {clause.pk}"
    assert evaluations == [incident.pk]


def test_removing_a_link_saves_its_incident(client, reporter, evaluations):
    link = ClauseLinkFactory()
    evaluations.clear()
    client.force_authenticate(reporter)
    assert client.delete(detail(link)).status_code == 204
    assert (
        link.incident.history.first().history_change_reason
        == f"No longer logged against clause {link.clause_id}"
    )
    assert evaluations == [link.incident_id]


def test_moving_a_link_saves_both_incidents(client, reporter, evaluations):
    link = ClauseLinkFactory()
    other = IncidentFactory()
    evaluations.clear()
    client.force_authenticate(reporter)
    assert client.patch(detail(link), {"incident": other.pk}, format="json").status_code == 200
    assert sorted(evaluations) == sorted([link.incident_id, other.pk])


def test_filters(client, viewer):
    agreement = AgreementFactory()
    mine = ClauseLinkFactory(clause=ClauseFactory(agreement=agreement))
    other = ClauseLinkFactory()
    ClauseLink.objects.filter(pk=other.pk).update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    client.force_authenticate(viewer)

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["results"]]

    assert ids(incident=mine.incident_id) == [mine.pk]
    assert ids(clause=f"{mine.clause_id},{other.clause_id}") == [mine.pk, other.pk]
    assert ids(agreement=agreement.pk) == [mine.pk]
    assert ids(created_before="2021-01-01") == [other.pk]
    assert ids(created_after="2021-01-01") == [mine.pk]
    assert ids(ordering="created_at") == [other.pk, mine.pk]
    assert ids(q="monitor") == [mine.pk, other.pk]
    for bad in ({"incident": "x"}, {"created_after": "yesterday"}, {"ordering": "note"}):
        assert client.get(LIST, bad).status_code == 400, bad
