import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from shapely.geometry import Point

from agreements.choices import DeadlineStatus
from agreements.models import Agreement, Area, Clause, Deadline, Party
from incidents.models import Incident, Source

DAMASCUS = zoneinfo.ZoneInfo("Asia/Damascus")
SARAQIB = Point(36.8006, 35.8636)
ARIHA = Point(36.600, 35.817)
ALEPPO = Point(37.16, 36.20)

pytestmark = pytest.mark.django_db


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts():
    """Rows per model of the project's apps, history tables included."""
    return {
        model._meta.label: model.objects.count()
        for app in ("agreements", "incidents")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def demo():
    load_demo()


def test_it_loads_the_three_agreements(demo):
    assert set(Agreement.objects.values_list("slug", "signed_on")) == {
        ("astana-2017", dt.date(2017, 5, 4)),
        ("sochi-2018", dt.date(2018, 9, 17)),
        ("moscow-2020", dt.date(2020, 3, 5)),
    }


def test_a_second_run_writes_nothing(demo):
    before = row_counts()
    updated_at = dict(Incident.objects.values_list("id", "updated_at"))

    output = load_demo()

    assert row_counts() == before
    assert dict(Incident.objects.values_list("id", "updated_at")) == updated_at
    assert "Demo up to date." in output
    assert " created   1" not in output and "updated   1" not in output


def test_history_records_the_creation_once(demo):
    assert "agreements.HistoricalAgreement" in row_counts()
    assert Agreement.history.filter(history_type="+").count() == 3
    assert Clause.history.filter(history_type="+").count() == Clause.objects.count()


def test_it_keeps_workflow_state_on_a_second_run(demo):
    deadline = Deadline.objects.get(description="Heavy weapons withdrawn from the demilitarized zone")
    deadline.status = DeadlineStatus.MISSED
    deadline.save()
    incident = Incident.objects.get(external_id="2019-04-08-kafr-zita-air-strikes")
    incident.status = "verified"
    incident.save()

    load_demo()

    deadline.refresh_from_db()
    incident.refresh_from_db()
    assert deadline.status == DeadlineStatus.MISSED
    assert incident.status == "verified"


def test_it_restores_demo_content_that_was_edited(demo):
    Area.objects.filter(slug="m4-highway").update(buffer_km=10)

    output = load_demo()

    assert Area.objects.get(slug="m4-highway").buffer_km == 3
    assert "Area                         created   0  updated   1" in output


def test_every_area_is_valid_geometry(demo):
    for area in Area.objects.all():
        area.full_clean()
        assert area.shape.is_valid, area.slug
        assert area.shape.bounds[0] < area.shape.bounds[2]


def test_saraqib_lies_in_the_demilitarized_zone_and_the_de_escalation_zone(demo):
    dmz = Area.objects.get(slug="idlib-demilitarized-zone").shape
    zone = Area.objects.get(slug="idlib-de-escalation-zone").shape

    assert SARAQIB.within(dmz)
    assert SARAQIB.within(zone)
    assert ARIHA.within(zone)
    assert dmz.within(zone)


def test_aleppo_city_is_outside_the_demilitarized_zone(demo):
    assert not ALEPPO.within(Area.objects.get(slug="idlib-demilitarized-zone").shape)
    assert not ALEPPO.within(Area.objects.get(slug="idlib-de-escalation-zone").shape)


def test_the_roads_are_lines_with_buffers(demo):
    assert Area.objects.get(slug="m4-highway").buffer_km == 3
    assert Area.objects.get(slug="m5-highway").buffer_km == 3
    corridor = Area.objects.get(slug="m4-security-corridor")
    assert corridor.geometry["type"] == "LineString"
    assert corridor.buffer_km == 6


def test_the_sochi_memorandum_has_its_ten_points(demo):
    sochi = Agreement.objects.get(slug="sochi-2018")
    assert sorted(sochi.clauses.values_list("number", flat=True), key=int) == [str(n) for n in range(1, 11)]
    assert set(sochi.parties.values_list("name", flat=True)) == {"Russia", "Turkey"}


def test_sochi_withdrawals_start_at_the_end_of_their_deadlines(demo):
    heavy_weapons = Clause.objects.get(agreement__slug="sochi-2018", number="6")
    radical_groups = Clause.objects.get(agreement__slug="sochi-2018", number="5")
    roads = Clause.objects.get(agreement__slug="sochi-2018", number="8")

    assert heavy_weapons.in_force_from == dt.datetime(2018, 10, 11, tzinfo=DAMASCUS)
    assert heavy_weapons.prohibited_categories == ["heavy_weapons_presence"]
    assert radical_groups.in_force_from == dt.datetime(2018, 10, 16, tzinfo=DAMASCUS)
    assert radical_groups.prohibited_categories == ["armed_group_presence"]
    assert set(roads.areas.values_list("slug", flat=True)) == {"m4-highway", "m5-highway"}


DEADLINES = [
    ("sochi-2018", "Heavy weapons withdrawn from the demilitarized zone", dt.date(2018, 10, 10)),
    ("sochi-2018", "Radical groups removed from the demilitarized zone", dt.date(2018, 10, 15)),
    ("sochi-2018", "Transit on the M4 and M5 restored", dt.date(2018, 12, 31)),
    ("moscow-2020", "Parameters of the M4 security corridor agreed", dt.date(2020, 3, 12)),
    ("moscow-2020", "Joint patrols on the M4 begin", dt.date(2020, 3, 15)),
]


def test_deadlines_fall_due_at_the_end_of_the_day_in_damascus(demo):
    # One test, not parametrized: loading the demo is the slow part.
    for slug, description, due_date in DEADLINES:
        deadline = Deadline.objects.get(agreement__slug=slug, description=description)

        assert deadline.due_date == due_date
        assert deadline.clause.agreement.slug == slug
        end_of_day = dt.datetime.combine(due_date + dt.timedelta(days=1), dt.time.min, tzinfo=DAMASCUS)
        assert deadline.due_at == end_of_day, description


def test_the_moscow_ceasefire_starts_at_one_minute_past_midnight(demo):
    ceasefire = Clause.objects.get(agreement__slug="moscow-2020", number="1")
    patrols = Clause.objects.get(agreement__slug="moscow-2020", number="3")

    # Syria was on UTC+2 until the end of March 2020.
    assert ceasefire.in_force_from == dt.datetime(2020, 3, 5, 22, 1, tzinfo=dt.UTC)
    assert patrols.in_force_from == dt.datetime(2020, 3, 15, tzinfo=DAMASCUS)
    assert patrols.prohibited_categories == ["patrol_obstructed"]


EXTERNAL_NAMES = {
    "Government of Syria": "Syrian government",  # UCDP
    "Military Forces of Syria (2000-)": "Syrian government",  # ACLED
    "Government of Russia (Soviet Union)": "Russia",
    "Military Forces of Turkey (2016-)": "Turkey",
    "HTS": "Hay'at Tahrir al-Sham",
    "Syrian insurgents": "Syrian armed opposition",
    "Tanzim Hurras ad-Din": "Hurras al-Din",
    "IS": "Islamic State",
    "sdf": "Syrian Democratic Forces",
}


def test_external_names_match_the_demo_parties(demo):
    matched = {name: getattr(Party.match(name), "name", None) for name in EXTERNAL_NAMES}
    assert matched == EXTERNAL_NAMES


def test_incidents_are_demo_records_with_sources(demo):
    incidents = Incident.objects.filter(source_dataset="demo")
    assert 5 <= incidents.count() <= 8
    assert not incidents.filter(sources__isnull=True).exists()
    council = incidents.get(target_type="council_building")
    assert council.weapons == ["cluster_munitions", "rockets"]
    assert council.perpetrator.name == "Syrian government"
    assert incidents.filter(perpetrator__isnull=True).exists()
    assert incidents.filter(location_precision="district").exists()
    assert set(incidents.values_list("status", flat=True)) == {"verified", "under_review"}


def test_one_source_is_confidential(demo):
    assert Source.objects.filter(confidential=True).count() == 1
    assert Source.objects.visible_to(None).filter(confidential=True).count() == 0
