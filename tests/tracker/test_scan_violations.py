import datetime as dt

import pytest
from django.core.management import call_command

from core.choices import IncidentCategory
from incidents.choices import IncidentStatus, LocationPrecision
from incidents.models import ClauseLink
from tests.factories import AreaFactory, ClauseFactory, IncidentFactory, PartyFactory, square
from tracker import services
from tracker.choices import Confidence, JobKind, JobStatus, ViolationStatus
from tracker.models import JobRun, Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def government():
    return PartyFactory(name="Syrian government")


@pytest.fixture
def ceasefire(government):
    zone = AreaFactory(name="Zone", geometry=square(36.8, 35.86, 0.1))
    return ClauseFactory(
        areas=[zone],
        obligated_parties=[government],
        prohibited_categories=["shelling", "air_strike"],
        agreement__in_force_from=dt.datetime(2018, 9, 17, tzinfo=UTC),
    )


def pairs():
    return set(Violation.objects.values_list("incident_id", "clause_id", "status"))


def test_it_flags_a_breach_and_records_the_run(ceasefire, government):
    incident = IncidentFactory(perpetrator=government)
    counts = services.scan_violations(full=True)
    assert counts["created"] == 1
    violation = Violation.objects.get()
    assert (violation.incident, violation.clause, violation.status) == (incident, ceasefire, "flagged")
    assert violation.confidence == Confidence.HIGH
    run = JobRun.objects.get(kind=JobKind.SCAN_FULL)
    assert run.status == JobStatus.SUCCEEDED and run.counts["created"] == 1 and run.finished_at


def test_a_second_run_changes_nothing(ceasefire, government):
    IncidentFactory.create_batch(3, perpetrator=government)
    services.scan_violations(full=True)
    before = pairs()
    counts = services.scan_violations(full=True)
    assert pairs() == before
    assert counts["created"] == counts["updated"] == counts["withdrawn"] == 0


def test_incidents_outside_or_before_or_by_others_are_not_flagged(ceasefire, government):
    IncidentFactory(perpetrator=government, longitude=37.5)  # outside the zone
    IncidentFactory(perpetrator=government, occurred_at=dt.datetime(2018, 9, 1, tzinfo=UTC))  # before
    IncidentFactory(perpetrator=PartyFactory(name="Someone else"))  # not bound
    IncidentFactory(perpetrator=government, category=IncidentCategory.PATROL)  # not prohibited
    IncidentFactory(perpetrator=government, status=IncidentStatus.REJECTED)  # rejected by an analyst
    services.scan_violations(full=True)
    assert not Violation.objects.exists()


def test_a_dismissed_violation_is_never_flagged_again(ceasefire, government, analyst):
    IncidentFactory(perpetrator=government)
    services.scan_violations(full=True)
    services.review_violation(Violation.objects.get().id, status=ViolationStatus.DISMISSED, user=analyst)
    services.scan_violations(full=True)
    assert Violation.objects.get().status == ViolationStatus.DISMISSED


def test_editing_an_incident_out_of_the_area_withdraws_the_flag(ceasefire, government):
    incident = IncidentFactory(perpetrator=government)
    services.scan_violations(full=True)
    incident.longitude = 38.5
    incident.save()
    counts = services.scan_violations()  # incremental: picks up the edited incident
    assert counts["withdrawn"] == 1
    assert Violation.objects.get().status == ViolationStatus.WITHDRAWN
    incident.longitude = 36.8
    incident.save()
    assert services.scan_violations()["reflagged"] == 1
    assert Violation.objects.get().status == ViolationStatus.FLAGGED


def test_a_flagged_violation_takes_the_new_confidence_when_the_incident_changes(ceasefire, government):
    incident = IncidentFactory(perpetrator=government)
    services.scan_violations(full=True)
    incident.perpetrator = None
    incident.save()
    counts = services.scan_violations()
    assert (counts["created"], counts["updated"]) == (0, 1)
    violation = Violation.objects.get()
    assert (violation.status, violation.confidence) == (ViolationStatus.FLAGGED, Confidence.MEDIUM)
    assert violation.reasons == ["perpetrator unknown"]
    assert services.scan_violations(full=True)["updated"] == 0


def test_a_confirmed_violation_is_kept_when_the_incident_changes(ceasefire, government, analyst):
    incident = IncidentFactory(perpetrator=government)
    services.scan_violations(full=True)
    services.review_violation(Violation.objects.get().id, status=ViolationStatus.CONFIRMED, user=analyst)
    incident.category = IncidentCategory.PATROL
    incident.save()
    services.scan_violations(full=True)
    violation = Violation.objects.get()
    assert violation.status == ViolationStatus.CONFIRMED and violation.reviewed_by == analyst


def test_editing_a_clause_window_withdraws_and_the_incremental_scan_sees_it(ceasefire, government):
    IncidentFactory(perpetrator=government)
    services.scan_violations(full=True)
    ceasefire.in_force_until = dt.datetime(2019, 1, 1, tzinfo=UTC)
    ceasefire.save()
    assert services.scan_violations()["withdrawn"] == 1


def test_changing_an_area_touches_its_clauses(ceasefire, government):
    IncidentFactory(perpetrator=government)
    services.scan_violations(full=True)
    zone = ceasefire.areas.get()
    zone.geometry = square(30.0, 30.0, 0.1)
    zone.save()
    assert services.scan_violations()["withdrawn"] == 1


def test_confidence_drops_for_imprecise_incidents(ceasefire, government):
    IncidentFactory(perpetrator=None)
    IncidentFactory(perpetrator=government, location_precision=LocationPrecision.DISTRICT)
    services.scan_violations(full=True)
    assert sorted(Violation.objects.values_list("confidence", flat=True)) == [
        Confidence.LOW,
        Confidence.MEDIUM,
    ]


def test_manual_links_are_kept_apart_from_the_engine(ceasefire, government):
    incident = IncidentFactory(perpetrator=government, category=IncidentCategory.PATROL)
    ClauseLink.objects.create(incident=incident, clause=ceasefire, note="Logged by a monitor")
    services.scan_violations(full=True)
    assert not Violation.objects.exists()
    assert ClauseLink.objects.count() == 1


def test_a_clause_inherits_the_agreements_areas(government):
    zone = AreaFactory(geometry=square(36.8, 35.86, 0.1))
    clause = ClauseFactory(obligated_parties=[government])
    clause.agreement.areas.add(zone)
    IncidentFactory(perpetrator=government)
    IncidentFactory(perpetrator=government, longitude=39.0)
    services.scan_violations(full=True)
    assert Violation.objects.count() == 1


def test_the_command_prints_what_changed(ceasefire, government, capsys):
    IncidentFactory(perpetrator=government)
    call_command("scan_violations", "--full")
    assert "1 new violation(s)" in capsys.readouterr().out


def test_saving_an_incident_schedules_its_evaluation(
    ceasefire, government, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        IncidentFactory(perpetrator=government)
    assert Violation.objects.count() == 1  # evaluated by the (eager) task after commit
    assert JobRun.objects.filter(kind=JobKind.SCAN_SELECTED, status=JobStatus.SUCCEEDED).exists()


def test_bulk_imports_trigger_one_incremental_scan(ceasefire, government, django_capture_on_commit_callbacks):
    from incidents.signals import incidents_bulk_changed

    start = dt.datetime.now(UTC)
    IncidentFactory.create_batch(3, perpetrator=government)
    incidents_bulk_changed.send(sender=None, updated_since=start, count=3)
    assert Violation.objects.count() == 3
    assert JobRun.objects.filter(kind=JobKind.SCAN_INCREMENTAL).count() == 1
