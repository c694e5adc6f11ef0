"""The engine on the demo agreements, and on real UCDP GED events for Syria (2018-2019)."""

import csv
import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
import shapely
from django.conf import settings
from django.core.management import call_command

from agreements.choices import DeadlineStatus
from agreements.models import Agreement, Area, Deadline, Party
from agreements.services import mark_deadline_met
from incidents.models import Incident
from tracker import services
from tracker.choices import Confidence
from tracker.models import Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC
DAMASCUS = zoneinfo.ZoneInfo("Asia/Damascus")
UCDP = Path(settings.BASE_DIR).parent / "shared" / "data" / "ucdp_ged_syria_652.1601.1911_2018-2019.csv"


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


def sochi_deadline(text):
    return Deadline.objects.get(agreement__slug="sochi-2018", description__icontains=text)


def test_checking_at_new_year_2019_flags_the_sochi_deadlines_missed(demo):
    services.check_deadlines(now=dt.datetime(2019, 1, 1, tzinfo=UTC))
    assert sochi_deadline("M4").status == DeadlineStatus.MISSED
    assert sochi_deadline("Heavy weapons").status == DeadlineStatus.MISSED
    assert sochi_deadline("Radical groups").status == DeadlineStatus.MISSED
    # The Moscow deadlines of March 2020 are missed too: load_demo checks as of now.
    patrols = Deadline.objects.get(agreement__slug="moscow-2020", description__icontains="patrol")
    assert patrols.status == DeadlineStatus.MISSED and patrols.missed_at == patrols.due_at


def test_a_deadline_marked_met_is_not_missed(demo):
    heavy = sochi_deadline("Heavy weapons")
    mark_deadline_met(heavy.id, met_at=dt.datetime(2018, 10, 9, tzinfo=UTC), evidence="Turkish MoD")
    services.check_deadlines(now=dt.datetime(2019, 1, 1, tzinfo=UTC))
    assert sochi_deadline("Heavy weapons").status == DeadlineStatus.MET
    assert sochi_deadline("M4").status == DeadlineStatus.MISSED


def test_the_saraqib_shelling_breaches_the_sochi_ceasefire(demo):
    services.scan_violations(full=True)
    saraqib = Violation.objects.filter(
        clause__agreement__slug="sochi-2018",
        clause__kind="ceasefire",
        incident__place_name__startswith="Saraqib",
    )
    assert saraqib.exists()
    assert Confidence.HIGH in set(saraqib.values_list("confidence", flat=True))


# --- Real data -------------------------------------------------------------------------------------

UCDP_DATE_PRECISION = {"1": "day", "2": "days", "3": "week", "4": "month", "5": "year"}
UCDP_LOCATION_PRECISION = {
    "1": "exact",
    "2": "near",
    "3": "district",
    "4": "governorate",
    "5": "governorate",
    "6": "country",
    "7": "country",
}


def load_ucdp(path):
    """A small loader for this test only (the real importer is incidents' import_incidents)."""
    parties = {}
    incidents = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            side_a = row["side_a"]
            if side_a not in parties:
                parties[side_a] = Party.match(side_a)
            start = dt.datetime.fromisoformat(row["date_start"]).replace(tzinfo=DAMASCUS)
            end = dt.datetime.fromisoformat(row["date_end"]).replace(tzinfo=DAMASCUS) + dt.timedelta(days=1)
            incidents.append(
                Incident(
                    occurred_at=start,
                    occurred_until=end - dt.timedelta(seconds=1)
                    if end - start > dt.timedelta(days=1)
                    else None,
                    date_precision=UCDP_DATE_PRECISION[row["date_prec"]],
                    latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]),
                    location_precision=UCDP_LOCATION_PRECISION[row["where_prec"]],
                    category="attack_on_civilians" if row["type_of_violence"] == "3" else "armed_clash",
                    perpetrator=parties[side_a],
                    place_name=row["where_coordinates"][:200],
                    admin1=row["adm_1"][:100],
                    source_dataset="ucdp",
                    external_id=row["id"],
                    status="verified",
                )
            )
    Incident.objects.bulk_create(incidents, batch_size=2000)
    return len(incidents)


@pytest.mark.skipif(not UCDP.exists(), reason="shared UCDP data not present")
def test_real_ucdp_events_inside_the_dmz_after_sochi_are_flagged_and_far_ones_are_not(demo):
    assert load_ucdp(UCDP) == 4809
    services.scan_violations(full=True)

    sochi = Agreement.objects.get(slug="sochi-2018")
    ceasefire = sochi.clauses.get(number="9")
    bound = set(ceasefire.obligated_parties.values_list("id", flat=True))
    dmz = Area.objects.get(slug="idlib-demilitarized-zone").shape
    zone = Area.objects.get(slug="idlib-de-escalation-zone").shape
    flagged = set(Violation.objects.filter(clause=ceasefire).values_list("incident_id", flat=True))
    sochi_flagged = set(
        Violation.objects.filter(clause__agreement=sochi).values_list("incident_id", flat=True)
    )

    inside, far = [], []
    for incident in Incident.objects.filter(source_dataset="ucdp"):
        point = shapely.Point(incident.longitude, incident.latitude)
        exact = incident.location_precision == "exact" and incident.date_precision == "day"
        after = incident.occurred_at >= sochi.in_force_from
        if exact and after and point.within(dmz) and (incident.perpetrator_id in bound | {None}):
            inside.append(incident.id)
        if zone.distance(point) > 1.0:  # more than ~90 km from the de-escalation zone
            far.append(incident.id)
    assert len(inside) > 20, "the DMZ should see dozens of exact events after 17 Sep 2018"
    assert set(inside) <= flagged
    assert len(far) > 1000
    assert not set(far) & sochi_flagged
    before = Incident.objects.filter(
        source_dataset="ucdp",
        occurred_until__isnull=True,
        occurred_at__lt=sochi.in_force_from - dt.timedelta(days=1),
    )
    assert not set(before.values_list("id", flat=True)) & sochi_flagged
