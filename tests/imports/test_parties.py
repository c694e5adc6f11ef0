import pytest

from agreements.models import Party, PartyAlias
from incidents.models import Incident
from tests.factories import PartyAliasFactory, PartyFactory
from tests.imports.importing import ACLED_COLUMNS, acled_row, import_file, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def path(tmp_path):
    return write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [
            acled_row(event_id_cnty="1", actor1="Military Forces of Syria (2000-)"),
            acled_row(event_id_cnty="2", actor1="Hayat Tahrir al-Sham"),
            acled_row(event_id_cnty="3", actor1="Hayat Tahrir al-Sham"),
            acled_row(event_id_cnty="4", actor1="Unidentified Armed Group (Syria)"),
            acled_row(event_id_cnty="5", actor1="hts"),  # an alias, in another case
            acled_row(event_id_cnty="6", actor1=""),
        ],
    )


@pytest.fixture
def hts(db):
    party = PartyFactory(name="HTS")
    PartyAliasFactory(party=party, name="Hay'at Tahrir al-Sham")
    return party


def test_unknown_actors_are_reported_with_counts_and_not_dropped(path, hts):
    result = import_file(path, "acled")

    assert result.created == 6
    assert result.unknown_actors == {"Military Forces of Syria (2000-)": 1, "Hayat Tahrir al-Sham": 2}
    assert result.unidentified_actors == {"Unidentified Armed Group (Syria)": 1}
    assert Incident.objects.get(external_id="5").perpetrator == hts
    assert Incident.objects.filter(perpetrator__isnull=True).count() == 5
    assert "actor1: Hayat Tahrir al-Sham" in Incident.objects.get(external_id="2").description
    assert (
        "2 named actors, no party matches: not counted until decided in actor triage"
        " (/admin/incidents/actordecision/triage/):"
    ) in result.summary_lines()
    assert Party.objects.count() == 1


def test_create_parties_makes_a_party_and_alias_per_unknown_actor(path, hts):
    result = import_file(path, "acled", create_parties=True)

    # An actor the source does not know is no party: it stays unidentified.
    assert result.parties_created == ["Hayat Tahrir al-Sham", "Military Forces of Syria (2000-)"]
    syria = Party.objects.get(name="Military Forces of Syria (2000-)")
    assert syria.kind == "state"
    assert PartyAlias.objects.get(name="Military Forces of Syria (2000-)").party == syria
    assert Incident.objects.get(external_id="1").perpetrator == syria
    assert (
        Incident.objects.get(external_id="2").perpetrator == Incident.objects.get(external_id="3").perpetrator
    )
    assert Incident.objects.get(external_id="6").perpetrator is None

    again = import_file(path, "acled", create_parties=True)

    assert again.unknown_actors == {} and again.unchanged == 6
    assert Party.objects.count() == 3


def test_created_parties_go_away_with_an_aborted_or_dry_run(path, hts):
    import_file(path, "acled", create_parties=True, dry_run=True)

    assert Party.objects.count() == 1 and Incident.objects.count() == 0
