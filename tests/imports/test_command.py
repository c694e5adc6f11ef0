import pytest
from django.core.management import CommandError, call_command

from imports.models import ImportJob
from incidents.models import Incident
from tests.imports.importing import ACLED_COLUMNS, acled_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_the_command_imports_prints_a_summary_and_records_the_import(tmp_path, capsys):
    path = write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [
            acled_row(event_id_cnty="A"),
            acled_row(event_id_cnty="B"),
            acled_row(event_id_cnty="C", event_date="soon"),
        ],
    )

    call_command("import_incidents", str(path), format="acled")

    captured = capsys.readouterr()
    assert "3 rows read: 2 created, 0 updated, 0 unchanged, 1 rejected" in captured.out
    assert "line 4, event_date: unparseable date 'soon'" in captured.out
    assert "import acled" in captured.err  # the progress bar is on stderr
    job = ImportJob.objects.get()
    assert (job.status, job.format, job.source_path, job.file_name) == (
        "done",
        "acled",
        str(path),
        "acled.csv",
    )
    assert (job.created, job.updated, job.unchanged, job.rejected) == (2, 0, 0, 1)
    assert job.error_report.read().decode().splitlines()[1].startswith("4,event_date,")
    assert f"Recorded as import #{job.pk}" in captured.out
    assert Incident.objects.count() == 2


def test_a_dry_run_is_recorded_as_such_and_writes_nothing(tmp_path, capsys):
    path = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row()])

    call_command("import_incidents", str(path), format="acled", dry_run=True, no_progress=True)

    assert "1 would be created" in capsys.readouterr().out
    assert ImportJob.objects.get().dry_run is True
    assert Incident.objects.count() == 0


def test_a_file_of_the_wrong_format_fails_cleanly_and_is_recorded(tmp_path):
    path = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row()])

    with pytest.raises(CommandError, match="not a UCDP GED file: required column missing"):
        call_command("import_incidents", str(path), format="ucdp", no_progress=True)

    job = ImportJob.objects.get()
    assert job.status == "failed" and "required column missing" in job.message
