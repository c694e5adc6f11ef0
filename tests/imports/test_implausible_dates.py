"""Every importer refuses an incident dated before 1900 or in the future, as a row error."""

import pytest

from incidents.models import Incident
from tests.imports.importing import ACLED_COLUMNS, acled_row, errors_of, import_file, write_csv, write_lines

pytestmark = pytest.mark.django_db


def test_acled_rows_outside_the_plausible_range_are_row_errors(tmp_path):
    path = tmp_path / "acled.csv"
    write_csv(
        path,
        ACLED_COLUMNS,
        [
            acled_row(event_id_cnty="OLD", event_date="1800-04-02"),
            acled_row(event_id_cnty="OK", event_date="2019-04-02"),
            acled_row(event_id_cnty="FUTURE", event_date="2300-04-02"),
        ],
    )
    result = import_file(path, "acled")
    assert errors_of(result) == [
        (2, "event_date", "An incident cannot be earlier than 1 January 1900. (1800-04-01)"),
        (4, "event_date", "An incident cannot be in the future. (2300-04-01)"),
    ]
    assert list(Incident.objects.values_list("external_id", flat=True)) == ["OK"]


@pytest.mark.parametrize("when", ["1800-01-01T00:00:00Z", "2300-01-01T00:00:00Z", "9999-12-31T23:30:00Z"])
def test_tracker_csv_rows_outside_the_range_are_row_errors(tmp_path, when):
    path = write_lines(
        tmp_path / "tracker.csv",
        [
            "external_id,source_dataset,occurred_at,category,place_name\n",
            f"A1,partner,{when},shelling,Saraqib\n",
            "A2,partner,2019-04-02T06:00:00Z,shelling,Ariha\n",
        ],
    )
    result = import_file(path, "tracker")
    assert [(line, column) for line, column, _reason in errors_of(result)] == [(2, "occurred_at")]
    assert list(Incident.objects.values_list("place_name", flat=True)) == ["Ariha"]
