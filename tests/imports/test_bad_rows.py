import csv

import pytest
from django.core.management import CommandError, call_command

from imports.base import ImportFileError
from imports.staging import Staging
from incidents.models import Incident, Source
from tests.factories import IncidentFactory
from tests.imports.importing import ACLED_COLUMNS, acled_row, errors_of, import_file, write_csv, write_lines

pytestmark = pytest.mark.django_db


def header():
    return ",".join(ACLED_COLUMNS) + "\n"


def line(**values):
    row = acled_row(**values)
    return ",".join(row.get(column, "") for column in ACLED_COLUMNS) + "\n"


@pytest.fixture
def bad_file(tmp_path):
    """Two good rows around one of every kind of bad row, with their line numbers."""
    return write_lines(
        tmp_path / "bad.csv",
        [
            header(),  # line 1
            line(event_id_cnty="OK1"),  # 2
            line(event_id_cnty="D", event_date="31 Febtember 2020"),  # 3 unparseable date
            line(event_id_cnty="L", latitude="135.2"),  # 4 latitude out of range
            line(event_id_cnty="C", sub_event_type="Alien landing"),  # 5 unknown category
            line(event_id_cnty=""),  # 6 missing id
            line(event_id_cnty="E", location="Sar\xe2qib")
            .replace("Sar\xe2qib", "@@")
            .encode()
            .replace(b"@@", "Sarâqib".encode("latin-1")),  # 7 wrong encoding
            "RAGGED,2019-04-02,2019\n",  # 8 ragged line
            line(
                event_id_cnty="N", notes='"a note\non two lines"'.replace('"', "")
            ),  # 9-10 (unquoted: ragged)
            line(event_id_cnty="OK2"),  # 11
            line(event_id_cnty="OK1"),  # 12 duplicate id
        ],
    )


EXPECTED = [
    (
        3,
        "event_date",
        "unparseable date '31 Febtember 2020' (expected e.g. 31 December 2020, 2020-12-31 or 9-May-20)",
    ),
    (4, "latitude", "135.2 is out of range (-90 to 90)"),
    (5, "sub_event_type", "unknown category 'Alien landing'"),
    (6, "event_id_cnty", "missing id"),
    (7, "location", "not valid UTF-8 (wrong encoding: save the file as UTF-8)"),
    (8, "", "ragged line: 3 fields where the header has 31"),
    (9, "", "ragged line: 28 fields where the header has 31"),
    (10, "", "ragged line: 4 fields where the header has 31"),
    (12, "event_id_cnty", "duplicate id 'OK1' (first on line 2)"),
]


def test_every_bad_row_is_reported_with_line_column_and_reason(bad_file):
    result = import_file(bad_file, "acled")

    assert errors_of(result) == EXPECTED
    assert result.rejected == len(EXPECTED)


def test_skip_imports_the_valid_rows(bad_file):
    result = import_file(bad_file, "acled", on_error="skip")

    assert (result.created, result.rejected) == (2, len(EXPECTED))
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == ["OK1", "OK2"]


def test_abort_imports_nothing_and_leaves_existing_data_alone(bad_file, tmp_path):
    import_file(
        write_csv(tmp_path / "first.csv", ACLED_COLUMNS, [acled_row(event_id_cnty="OK1", fatalities="0")]),
        "acled",
    )

    result = import_file(bad_file, "acled", on_error="abort")

    assert result.aborted and result.created == result.updated == 0
    assert errors_of(result) == EXPECTED  # still every bad row, so they can all be fixed at once
    assert list(Incident.objects.values_list("external_id", "killed_unknown")) == [("OK1", 0)]


def test_a_nul_byte_is_reported_not_sent_to_the_database(tmp_path):
    path = write_lines(tmp_path / "nul.csv", [header(), line(event_id_cnty="A", notes="bin\x00ary"), line()])

    result = import_file(path, "acled")

    assert errors_of(result) == [(2, "notes", "contains a NUL byte (binary data, not text)")]
    assert list(Incident.objects.values_list("external_id", flat=True)) == ["SYR1"]


def test_a_quoted_field_over_two_lines_keeps_line_numbers_right(tmp_path):
    path = write_csv(
        tmp_path / "multi.csv",
        ACLED_COLUMNS,
        [
            acled_row(event_id_cnty="A", notes="first line\nsecond line"),
            acled_row(event_id_cnty="B", latitude="x"),
        ],
    )

    result = import_file(path, "acled")

    assert errors_of(result) == [(4, "latitude", "not a number: 'x'")]
    assert Incident.objects.get().description.startswith("first line\nsecond line")


def test_a_failure_during_the_merge_leaves_nothing_half_written(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(event_id_cnty=f"S{n}") for n in range(10)])
    stored = IncidentFactory(
        source_dataset="acled", external_id="S0"
    )  # so not a first import (see direct.py)
    original = Staging.merge

    def merge_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)  # incidents and sources are written...
        raise RuntimeError("the database went away")  # ...then the connection drops

    monkeypatch.setattr(Staging, "merge", merge_then_fail)

    with pytest.raises(RuntimeError):
        import_file(path, "acled", batch_size=4)

    assert list(Incident.objects.all()) == [stored] and Source.objects.count() == 0


def test_dry_run_counts_but_writes_nothing(bad_file, tmp_path):
    import_file(
        write_csv(tmp_path / "first.csv", ACLED_COLUMNS, [acled_row(event_id_cnty="OK1", fatalities="0")]),
        "acled",
    )

    result = import_file(bad_file, "acled", dry_run=True)

    assert (result.created, result.updated, result.unchanged, result.rejected) == (1, 1, 0, len(EXPECTED))
    assert list(Incident.objects.values_list("external_id", "killed_unknown")) == [("OK1", 0)]
    assert Source.objects.count() == 2


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    path = write_lines(tmp_path / "ucdp.csv", ["id,date_start,side_a\n", "1,2019-01-01,X\n"])

    with pytest.raises(ImportFileError) as raised:
        import_file(path, "acled")

    assert raised.value.line == 1
    assert "event_id_cnty (or data_id)" in raised.value.column
    assert Incident.objects.count() == 0


def test_the_command_reports_bad_rows_and_exits_non_zero_on_abort(bad_file, tmp_path, capsys):
    report = tmp_path / "errors.csv"

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_incidents", str(bad_file), format="acled", on_error="abort", errors=str(report))

    out = capsys.readouterr().out
    assert "0 created, 0 updated, 0 unchanged, 9 rejected" in out
    assert "line 4, latitude: 135.2 is out of range (-90 to 90)" in out
    with report.open(newline="") as rows:
        assert list(csv.reader(rows)) == [
            ["line", "column", "reason"],
            *([str(a), b, c] for a, b, c in EXPECTED),
        ]
    assert Incident.objects.count() == 0


def test_the_command_refuses_an_unreadable_file_without_a_traceback(tmp_path):
    path = write_lines(tmp_path / "empty.csv", [])

    with pytest.raises(CommandError, match="the file is empty"):
        call_command("import_incidents", str(path), format="acled", no_progress=True)
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_incidents", str(tmp_path / "missing.csv"), format="acled", no_progress=True)
