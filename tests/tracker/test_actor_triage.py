"""Actor triage: named, unregistered actors listed most frequent first; a decision maps,
marks unidentified or sets aside, and re-evaluates the incidents in one job (issue 11, A)."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.models import Party
from imports.models import ImportJob
from incidents.choices import ActorCase, ActorDecisionKind
from incidents.models import ActorDecision, Incident
from tests.factories import AreaFactory, ClauseFactory, IncidentFactory, PartyFactory, square
from tracker import actors
from tracker.models import Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def ypg():
    """Three incidents naming the YPG (two datasets), one naming another group."""
    for day, dataset in ((1, "acled"), (5, "acled"), (9, "ucdp")):
        IncidentFactory(
            perpetrator=None,
            actor_name="YPG",
            source_dataset=dataset,
            occurred_at=dt.datetime(2019, 4, day, tzinfo=UTC),
        )
    IncidentFactory(perpetrator=None, actor_name="Jaysh al-Izza")


@pytest.fixture
def sdf():
    party = PartyFactory(name="SDF")
    ClauseFactory(
        areas=[AreaFactory(geometry=square(36.8, 35.86, 0.1))],
        obligated_parties=[party],
        prohibited_categories=["shelling"],
        agreement__in_force_from=dt.datetime(2018, 9, 17, tzinfo=UTC),
    )
    return party


def test_it_lists_named_actors_most_frequent_first_with_datasets_and_dates(ypg):
    listed = actors.named_actors()

    assert [(a.name, a.incidents, a.datasets) for a in listed] == [
        ("YPG", 3, ["acled", "ucdp"]),
        ("Jaysh al-Izza", 1, ["hand-entered"]),
    ]
    assert (listed[0].first_seen.day, listed[0].last_seen.day) == (1, 9)


def test_mapping_to_a_party_makes_an_alias_and_flags_the_incidents(
    ypg, sdf, django_capture_on_commit_callbacks
):
    assert not Violation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        actors.decide("YPG", ActorDecisionKind.PARTY, party=sdf)

    assert Party.match("ypg") == sdf
    assert Violation.objects.count() == 3
    assert [a.name for a in actors.named_actors()] == ["Jaysh al-Izza"]
    assert actors.apply_actor_decision("YPG")["changed"] == 0  # a second run changes nothing


def test_marking_unidentified_counts_them_with_lower_confidence(ypg, sdf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actors.decide("ypg", ActorDecisionKind.UNIDENTIFIED)

    assert set(Violation.objects.values_list("confidence", flat=True)) == {"medium"}
    assert Violation.objects.count() == 3


def test_not_bound_leaves_triage_and_is_never_counted(ypg, sdf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actors.decide("YPG", ActorDecisionKind.NOT_BOUND)

    assert [a.name for a in actors.named_actors()] == ["Jaysh al-Izza"]
    assert not Violation.objects.exists()
    assert ActorDecision.objects.get().kind == ActorDecisionKind.NOT_BOUND


def test_a_later_decision_replaces_the_earlier(ypg):
    actors.decide("YPG", ActorDecisionKind.NOT_BOUND)
    actors.decide("ypg", ActorDecisionKind.UNIDENTIFIED)

    assert list(ActorDecision.objects.values_list("kind", flat=True)) == [ActorDecisionKind.UNIDENTIFIED]


def test_the_api_lists_and_decides(ypg, sdf, analyst, viewer, django_capture_on_commit_callbacks):
    client = APIClient()
    client.force_authenticate(viewer)
    assert client.get(reverse("api:actor-list")).status_code == 403
    client.force_authenticate(analyst)
    body = client.get(reverse("api:actor-list")).json()
    assert body[0] == {
        "name": "YPG",
        "incidents": 3,
        "datasets": ["acled", "ucdp"],
        "first_seen": "2019-04-01T00:00:00Z",
        "last_seen": "2019-04-09T00:00:00Z",
    }

    assert client.post(reverse("api:actor-decide"), {"name": "YPG", "kind": "party"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api:actor-decide"), {"name": "YPG", "kind": "party", "party": sdf.pk})

    assert response.status_code == 202 and response.json()["party"] == sdf.pk
    assert Violation.objects.count() == 3


def test_the_admin_page_lists_and_decides(ypg, sdf, superuser, client, django_capture_on_commit_callbacks):
    client.force_login(superuser)
    url = reverse("admin:incidents_actordecision_triage")
    page = client.get(url)
    assert page.status_code == 200 and b"YPG" in page.content and b"Jaysh al-Izza" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"name": "YPG", "kind": "party", "party": sdf.pk})

    assert Violation.objects.count() == 3
    assert b"<td>YPG</td>" not in client.get(url).content


def test_hand_entry_keeps_the_name_beside_the_party(analyst):
    client = APIClient()
    client.force_authenticate(analyst)
    incident = IncidentFactory.build()
    data = {
        "occurred_at": "2019-04-02T09:00:00Z",
        "category": "shelling",
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "actor_name": "YPG",
    }
    body = client.post(reverse("api:incident-list"), data, format="json").json()
    assert (body["actor_name"], body["actor_case"], body["perpetrator"]) == ("YPG", ActorCase.NAMED, None)


def test_the_import_summary_and_the_decisions_link_to_triage(superuser, client, tmp_path):
    job = ImportJob.objects.create(
        format="acled", summary="1 named actors ... (/admin/incidents/actordecision/triage/):"
    )
    client.force_login(superuser)
    triage = reverse("admin:incidents_actordecision_triage")
    link = f'<a href="{triage}">'.encode()
    assert link in client.get(reverse("admin:imports_importjob_change", args=[job.pk])).content
    assert link in client.get(reverse("admin:incidents_actordecision_changelist")).content


def test_changing_a_decision_changes_the_count(ypg, sdf, django_capture_on_commit_callbacks):
    """Unidentified, then not bound, then mapped to a party: each decision is applied."""
    with django_capture_on_commit_callbacks(execute=True):
        actors.decide("YPG", ActorDecisionKind.UNIDENTIFIED)
    assert Violation.objects.filter(status="flagged").count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        actors.decide("YPG", ActorDecisionKind.NOT_BOUND)
    assert not Violation.objects.filter(status="flagged").exists()
    assert set(Incident.objects.filter(actor_name="YPG").values_list("actor_case", flat=True)) == {
        ActorCase.NAMED
    }
    with django_capture_on_commit_callbacks(execute=True):
        actors.decide("YPG", ActorDecisionKind.PARTY, party=sdf)
    assert Violation.objects.filter(status="flagged", confidence="high").count() == 3
    assert set(Incident.objects.filter(actor_name="YPG").values_list("perpetrator", flat=True)) == {sdf.pk}


def test_a_decision_reaches_its_incidents_even_if_the_worker_job_is_lost(ypg, sdf):
    actors.decide("YPG", ActorDecisionKind.UNIDENTIFIED)  # no on-commit job run here
    assert set(Incident.objects.filter(actor_name="YPG").values_list("actor_case", flat=True)) == {
        ActorCase.UNIDENTIFIED
    }


def test_a_name_set_aside_never_becomes_a_party_on_import(tmp_path):
    from imports.services import run_import
    from tests.imports.importing import ACLED_COLUMNS, acled_row, write_csv

    actors.decide("Hayat Tahrir al-Sham", ActorDecisionKind.NOT_BOUND)
    path = tmp_path / "acled.csv"
    write_csv(
        path,
        ACLED_COLUMNS,
        [acled_row(actor1="Hayat Tahrir al-Sham"), acled_row(event_id_cnty="X2", actor1="New Group")],
    )
    run_import(path, "acled", create_parties=True)
    assert not Party.objects.filter(name="Hayat Tahrir al-Sham").exists()
    assert Party.objects.filter(name="New Group").exists()
