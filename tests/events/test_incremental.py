"""The job groups what was just saved or imported, against its neighbours."""

import pytest
from django.db import connection

from events import services
from events.models import Event
from incidents.models import Incident
from tests.imports.importing import ACLED_COLUMNS, acled_row, import_file, write_csv

pytestmark = pytest.mark.django_db


def test_saving_a_report_groups_it_after_the_commit(report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ucdp = report("ucdp")
    with django_capture_on_commit_callbacks(execute=True):
        acled = report("acled", km_north=2)
    event = Incident.objects.get(id=acled.id).event
    assert event is not None and Incident.objects.get(id=ucdp.id).event == event
    with django_capture_on_commit_callbacks(execute=True):
        moved = Incident.objects.get(id=acled.id)
        moved.latitude += 1.0  # 110 km away: no longer the same strike
        moved.save()
    assert Incident.objects.filter(event__isnull=False).count() == 0
    assert not Event.objects.exists()


def test_an_import_groups_its_reports_with_those_already_there(
    report, tmp_path, django_capture_on_commit_callbacks
):
    ucdp = report("ucdp", category="shelling", perpetrator=None)
    path = write_csv(
        tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row(), acled_row(event_id_cnty="SYR2", latitude="36.5")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, "acled")
    acled = Incident.objects.get(source_dataset="acled", external_id="SYR1")
    assert Incident.objects.get(id=ucdp.id).event == acled.event is not None
    assert Incident.objects.get(external_id="SYR2").event is None
    # Importing the same file again changes nothing.
    before = list(Incident.objects.values_list("id", "event").order_by("id"))
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, "acled")
    assert list(Incident.objects.values_list("id", "event").order_by("id")) == before


def test_a_rejected_or_deleted_report_leaves_its_event(report, django_capture_on_commit_callbacks):
    a, b, c = report("ucdp"), report("acled", km_north=1), report("monitor", km_north=2)
    services.group_all()
    assert Event.objects.get().reports == 3
    with django_capture_on_commit_callbacks(execute=True):
        rejected = Incident.objects.get(id=c.id)
        rejected.status = "rejected"
        rejected.save()
    assert Event.objects.get().reports == 2
    with django_capture_on_commit_callbacks(execute=True):
        Incident.objects.get(id=a.id).delete()
    assert not Event.objects.exists()
    assert Incident.objects.get(id=b.id).event is None


def test_the_periodic_job_catches_up_what_changed_since_its_last_run(report):
    services.group_changed()  # first run: everything
    report("ucdp")
    report("acled", km_north=2)
    counts = services.group_changed()
    assert counts["incidents"] == 2 and Event.objects.count() == 1


def test_the_full_regrouping_runs_as_chunk_tasks_then_a_rebuild(report):
    from events import tasks

    report("ucdp")
    report("acled", km_north=2)
    report("ucdp", hours=24 * 20)
    report("acled", hours=24 * 20 + 2, km_north=1)
    # SQLite writes one transaction at a time: there the steps are not split.
    assert tasks.group_all.delay(chunks=3).get() == {"chunks": 3 if connection.vendor == "postgresql" else 1}
    assert Event.objects.count() == 2
    assert Event.objects.filter(reports=2).count() == 2
