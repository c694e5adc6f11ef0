"""Every import keeps the actor as the source names it, and its case (issue 11, A)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from incidents.choices import ActorCase, ActorDecisionKind
from incidents.models import ActorDecision, Incident
from tests.factories import IncidentFactory, PartyAliasFactory, PartyFactory
from tests.imports.importing import ACLED_COLUMNS, acled_row, import_file, write_csv

pytestmark = pytest.mark.django_db

UCDP_COLUMNS = ["id", "date_start", "date_end", "type_of_violence", "side_a", "latitude", "longitude"]


def actors():
    return {
        i.external_id: (i.actor_name, i.actor_case, i.perpetrator and i.perpetrator.name)
        for i in Incident.objects.select_related("perpetrator")
    }


@pytest.fixture
def acled(tmp_path):
    return write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [
            acled_row(event_id_cnty="1", actor1="Hayat Tahrir al-Sham"),
            acled_row(event_id_cnty="2", actor1="Unidentified Armed Group (Syria)"),
            acled_row(event_id_cnty="3", actor1=""),
            acled_row(event_id_cnty="4", actor1="YPG: People's Protection Units"),
        ],
    )


@pytest.fixture
def hts(db):
    party = PartyFactory(name="HTS")
    PartyAliasFactory(party=party, name="Hayat Tahrir al-Sham")
    return party


def test_acled_rows_are_registered_unidentified_or_named(acled, hts):
    import_file(acled, "acled")

    assert actors() == {
        "1": ("Hayat Tahrir al-Sham", ActorCase.REGISTERED, "HTS"),
        "2": ("Unidentified Armed Group (Syria)", ActorCase.UNIDENTIFIED, None),
        "3": ("", ActorCase.UNIDENTIFIED, None),
        "4": ("YPG: People's Protection Units", ActorCase.NAMED, None),
    }


def test_ucdp_keeps_side_a_and_an_unclear_side_is_unidentified(tmp_path):
    row = {"date_start": "2019-04-02", "date_end": "2019-04-02", "type_of_violence": "3"}
    row |= {"latitude": "35.8", "longitude": "36.6"}
    path = write_csv(
        tmp_path / "ucdp.csv",
        UCDP_COLUMNS,
        [{**row, "id": "1", "side_a": "SNA"}, {**row, "id": "2", "side_a": "Unknown"}],
    )
    import_file(path, "ucdp")

    assert actors() == {"1": ("SNA", ActorCase.NAMED, None), "2": ("Unknown", ActorCase.UNIDENTIFIED, None)}


def test_decisions_apply_on_reimport(acled, hts):
    ypg = PartyFactory(name="Kurdish forces")
    ActorDecision.objects.create(name="unidentified armed group (syria)", kind=ActorDecisionKind.UNIDENTIFIED)
    PartyAliasFactory(party=ypg, name="YPG: People's Protection Units")  # what mapping in triage makes
    import_file(acled, "acled")

    assert actors()["4"] == ("YPG: People's Protection Units", ActorCase.REGISTERED, "Kurdish forces")
    assert actors()["2"][1] == ActorCase.UNIDENTIFIED


def test_existing_incidents_keep_their_party_and_a_reimport_fills_the_name_in(acled, hts):
    IncidentFactory(source_dataset="acled", external_id="1", perpetrator=hts)
    assert actors()["1"] == ("", ActorCase.REGISTERED, "HTS")

    import_file(acled, "acled")

    assert actors()["1"] == ("Hayat Tahrir al-Sham", ActorCase.REGISTERED, "HTS")


def test_the_api_filters_incidents_by_actor_case(acled, hts, analyst):
    import_file(acled, "acled")
    client = APIClient()
    client.force_authenticate(analyst)
    body = client.get("/api/v1/incidents/", {"actor_case": "named"}).json()
    assert [item["external_id"] for item in body["results"]] == ["4"]


def test_cases_are_decided_in_one_pass_whatever_the_number_of_names(tmp_path, hts):
    """One statement over the staging table, not one per unidentified name (each would read
    the whole table: 20 names on a million rows cost most of a minute). A first import has no
    staging table (see test_first_import.py)."""
    names = [f"Unidentified Armed Group (Syria) {n}" for n in range(5)]
    rows = [acled_row(event_id_cnty=str(n), actor1=name) for n, name in enumerate(names)]
    rows.append(acled_row(event_id_cnty="x", actor1="Named Brigade"))
    path = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, rows)
    IncidentFactory(source_dataset="acled", external_id="stored", perpetrator=None)  # so not a first import
    with CaptureQueriesContext(connection) as queries:
        import_file(path, "acled")

    cases = {case for external_id, (_name, case, _party) in actors().items() if external_id != "stored"}
    assert cases == {ActorCase.UNIDENTIFIED, ActorCase.NAMED}
    assert actors()["x"][1] == ActorCase.NAMED
    assert len([q for q in queries.captured_queries if "UPDATE import_stage" in q["sql"]]) == 1
