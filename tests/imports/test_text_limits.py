"""One length limit per text field: the importers refuse what the admin and the API refuse."""

import pytest
from django.db import connection

from incidents.models import Incident
from tests.imports.importing import ACLED_COLUMNS, acled_row, errors_of, import_file, write_csv, write_lines

pytestmark = pytest.mark.django_db

LIMIT = Incident._meta.get_field("description").max_length


def test_an_acled_note_over_the_limit_is_a_row_error(tmp_path):
    path = tmp_path / "acled.csv"
    rows = [acled_row(event_id_cnty=f"OK{n}") for n in range(20)]
    rows.insert(5, acled_row(event_id_cnty="HUGE", notes="x" * (LIMIT + 1)))
    write_csv(path, ACLED_COLUMNS, rows)
    result = import_file(path, "acled", batch_size=1000)  # one block on PostgreSQL's fast path
    assert errors_of(result) == [(7, "notes", f"longer than {LIMIT} characters ({LIMIT + 142})")]
    assert Incident.objects.count() == 20 and not Incident.objects.filter(external_id="HUGE").exists()


def test_a_tracker_description_over_the_limit_is_a_row_error(tmp_path):
    path = write_lines(
        tmp_path / "tracker.csv",
        [
            "external_id,source_dataset,occurred_at,category,description\n",
            f"A1,partner,2019-04-02T06:00:00Z,shelling,{'y' * (LIMIT + 1)}\n",
            "A2,partner,2019-04-02T06:00:00Z,shelling,short\n",
        ],
    )
    result = import_file(path, "tracker")
    assert errors_of(result) == [(2, "description", f"longer than {LIMIT} characters ({LIMIT + 1})")]


def test_the_api_refuses_the_same(reporter):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(reporter)
    body = {"occurred_at": "2019-04-02T06:00:00Z", "category": "shelling", "description": "z" * (LIMIT + 1)}
    response = client.post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 400 and "description" in response.json()
    body["description"] = "z" * LIMIT
    assert client.post("/api/v1/incidents/", body, format="json").status_code == 201


def test_the_fast_path_is_taken_on_postgresql(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the block path is PostgreSQL's")
    from imports.acled import AcledReader

    calls = []
    original = AcledReader.parse_block
    monkeypatch.setattr(
        AcledReader, "parse_block", lambda self, block: calls.append(1) or original(self, block)
    )
    test_an_acled_note_over_the_limit_is_a_row_error(tmp_path)
    assert calls
