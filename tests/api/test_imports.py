"""Imports through the API: upload, a worker imports, the job shows counts and rejected rows."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportJob
from incidents.models import Incident
from tests.imports.importing import ACLED_COLUMNS, acled_row

pytestmark = pytest.mark.django_db
URL = "/api/v1/imports/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def acled_file(rows, name="acled-2019.csv"):
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def post(client, upload, **options):
    return client.post(URL, {"file": upload, "format": "acled", **options}, format="multipart")


def test_an_upload_is_imported_by_a_worker(client, reporter, django_capture_on_commit_callbacks):
    client.force_authenticate(reporter)
    rows = [
        acled_row(event_id_cnty="A"),
        acled_row(event_id_cnty="B"),
        acled_row(event_id_cnty="C", latitude="95"),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, acled_file(rows))

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending" and "file" not in response.json()
    job = client.get(f"{URL}{response.json()['id']}/").json()
    assert job["status"] == "done" and job["percent"] == 100
    assert (job["rows_read"], job["created"], job["updated"], job["unchanged"], job["rejected"]) == (
        3,
        2,
        0,
        0,
        1,
    )
    assert job["file_name"] == "acled-2019.csv" and job["created_by"] == "reporter"
    assert Incident.objects.filter(created_by=reporter).count() == 2

    report = client.get(job["error_report"])
    assert report.status_code == 200 and report["Content-Type"] == "text/csv"
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0] == "line,column,reason"
    assert lines[1].startswith("4,latitude,95 is out of range")

    listed = client.get(URL, {"status": "done"}).json()["results"]
    assert [item["id"] for item in listed] == [job["id"]]


def test_a_clean_import_has_no_error_report(client, reporter, django_capture_on_commit_callbacks):
    client.force_authenticate(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = post(client, acled_file([acled_row()]), dry_run="true").json()["id"]
    job = client.get(f"{URL}{job_id}/").json()
    assert job["error_report"] is None and job["dry_run"] is True and job["created"] == 1
    assert Incident.objects.count() == 0  # a dry run writes nothing
    response = client.get(f"{URL}{job_id}/errors/")
    assert response.status_code == 404 and response.json() == {"detail": "This import rejected no rows."}


@pytest.mark.parametrize(
    "data, field",
    [
        ({"format": "acled"}, "file"),
        ({"format": "shapefile", "file": "x"}, "format"),
        ({"format": "acled", "on_error": "ignore", "file": "x"}, "on_error"),
        ({"format": "acled", "file": ""}, "file"),
    ],
)
def test_bad_uploads_are_400_with_field_messages(client, reporter, data, field):
    client.force_authenticate(reporter)
    if data.get("file") == "x":
        data["file"] = acled_file([acled_row()])
    elif data.get("file") == "":
        data["file"] = SimpleUploadedFile("empty.csv", b"", content_type="text/csv")
    response = client.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert field in response.json()
    assert ImportJob.objects.count() == 0


def test_json_body_is_415(client, reporter):
    client.force_authenticate(reporter)
    response = client.post(URL, {"format": "acled"}, format="json")
    assert response.status_code == 415


def test_a_file_that_is_not_csv_fails_the_job_with_a_reason(
    client, reporter, django_capture_on_commit_callbacks
):
    client.force_authenticate(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = post(client, SimpleUploadedFile("a.csv", b"hello,world\n1,2\n")).json()["id"]
    job = client.get(f"{URL}{job_id}/").json()
    assert job["status"] == "failed" and "column" in job["message"]


def test_roles(client, viewer, reporter, user_with_perms):
    assert client.get(URL).status_code == 401
    assert post(client, acled_file([acled_row()])).status_code == 401
    client.force_authenticate(viewer)  # Viewers neither see nor start imports
    assert client.get(URL).status_code == 403
    assert post(client, acled_file([acled_row()])).status_code == 403
    client.force_authenticate(user_with_perms("imports.view_importjob"))
    assert client.get(URL).status_code == 200
    assert post(client, acled_file([acled_row()])).status_code == 403
    client.force_authenticate(reporter)
    assert client.get(URL).status_code == 200
    # A job is a record of what happened: no edits, no deletion (refused before the method is looked at).
    assert client.put(f"{URL}1/", {}).status_code in (403, 405)
    assert client.delete(f"{URL}1/").status_code in (403, 405)
