"""An import does only what its user may do, however it is started."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import Party
from imports.base import ImportFileError
from imports.services import run_import
from incidents.models import Incident
from tests.imports.importing import ACLED_COLUMNS, acled_row, errors_of, write_csv, write_lines

pytestmark = pytest.mark.django_db


def acled_file(tmp_path):
    path = tmp_path / "acled.csv"
    write_csv(path, ACLED_COLUMNS, [acled_row(actor1="Brand New Brigade")])
    return path


def test_a_reporter_cannot_create_parties_through_the_api(client, reporter, tmp_path):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(reporter)
    upload = SimpleUploadedFile("a.csv", acled_file(tmp_path).read_bytes(), content_type="text/csv")
    response = api.post(
        "/api/v1/imports/", {"file": upload, "format": "acled", "create_parties": "true"}, format="multipart"
    )
    assert response.status_code == 400
    assert "create_parties" in response.json()
    assert not Party.objects.filter(name="Brand New Brigade").exists()


def test_the_admin_offers_creating_parties_only_to_those_who_may(client, reporter, coordinator):
    url = reverse("admin:imports_importjob_add")
    client.force_login(reporter)
    assert 'name="create_parties"' not in client.get(url).content.decode()
    client.force_login(coordinator)
    assert 'name="create_parties"' in client.get(url).content.decode()


def test_the_service_refuses_too(reporter, coordinator, tmp_path):
    with pytest.raises(ImportFileError, match="permission to add parties"):
        run_import(acled_file(tmp_path), "acled", create_parties=True, user=reporter)
    run_import(acled_file(tmp_path), "acled", create_parties=True, user=coordinator)
    assert Party.objects.filter(name="Brand New Brigade").exists()


def test_only_analysts_import_verified_incidents(reporter, analyst, tmp_path):
    path = write_lines(
        tmp_path / "tracker.csv",
        [
            "external_id,source_dataset,occurred_at,category,status\n",
            "A1,partner,2019-04-02T06:00:00Z,shelling,verified\n",
            "A2,partner,2019-04-02T06:00:00Z,shelling,under_review\n",
        ],
    )
    result = run_import(path, "tracker", user=reporter)
    assert errors_of(result) == [
        (2, "status", "only analysts may import incidents as verified, disputed or rejected")
    ]
    assert list(Incident.objects.values_list("external_id", flat=True)) == ["A2"]
    run_import(path, "tracker", user=analyst)
    assert Incident.objects.get(external_id="A1").status == "verified"
