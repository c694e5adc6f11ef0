import csv
import importlib
import io
import sys

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

from imports.models import ImportJob
from incidents.models import Incident
from tests.imports.importing import ACLED_COLUMNS, acled_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def import_admin(settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT; the ImportJob admin is registered and routed."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    if not admin.site.is_registered(ImportJob):
        importlib.import_module("imports.admin")  # incidents/admin.py imports it once merged
        if "config.urls" in sys.modules:
            importlib.reload(sys.modules["config.urls"])
        clear_url_caches()


def acled_upload(rows):
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("acled-2019.csv", out.getvalue().encode(), content_type="text/csv")


def upload(client, rows, **options):
    data = {"file": acled_upload(rows), "format": "acled", "on_error": "skip", **options}
    return client.post(reverse("admin:imports_importjob_add"), data)


def test_an_upload_runs_the_import_and_shows_the_result(
    client, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    rows = [
        acled_row(event_id_cnty="A"),
        acled_row(event_id_cnty="B"),
        acled_row(event_id_cnty="C", latitude="95"),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, rows)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:imports_importjob_change", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.created_by == superuser
    assert (job.rows_read, job.created, job.updated, job.unchanged, job.rejected) == (3, 2, 0, 0, 1)
    assert Incident.objects.count() == 2
    assert Incident.objects.filter(created_by=superuser).count() == 2

    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    assert "2 created, 0 updated, 0 unchanged, 1 rejected" in page
    assert "95 is out of range" in page

    report = client.get(reverse("admin:imports_importjob_errors", args=[job.pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    assert list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode()))) == [
        ["line", "column", "reason"],
        ["4", "latitude", "95 is out of range (-90 to 90)"],
    ]


def test_a_waiting_job_page_refreshes_and_shows_progress(
    client, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=False):  # no worker has picked it up yet
        upload(client, [acled_row()])
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", bytes_read=500, bytes_total=1000)

    page = client.get(reverse("admin:imports_importjob_change", args=[job.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="100" value="50"></progress> 50 %' in page
    assert Incident.objects.count() == 0


def test_an_aborted_upload_imports_nothing(client, superuser, django_capture_on_commit_callbacks):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, [acled_row(event_id_cnty="A"), acled_row(event_id_cnty="")], on_error="abort")

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.ABORTED and job.rejected == 1
    assert Incident.objects.count() == 0


def test_a_file_in_the_wrong_format_fails_with_a_message(
    client, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, [acled_row()], format="ucdp")

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "not a UCDP GED file: required column missing" in job.message


def test_the_error_report_needs_permission(client, viewer, superuser, django_capture_on_commit_callbacks):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, [acled_row(event_id_cnty="")])
    job = ImportJob.objects.get()
    client.force_login(viewer)

    response = client.get(reverse("admin:imports_importjob_errors", args=[job.pk]))

    assert response.status_code == 403
