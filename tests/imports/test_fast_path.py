"""The vectorised (pyarrow) path reads what the per-row path reads: same rows, same line numbers,
same values, and never accepts a row the per-row parser rejects."""

import datetime as dt
import sys

import numpy as np
import pytest
from django.db import connection

from imports import blocks as blocks_module
from imports import services as service
from imports.acled import AcledReader
from imports.base import BadValue, CsvStream, RowError
from imports.blocks import Block, blocks, map_distinct
from incidents.models import Incident, Source
from tests.factories import PartyAliasFactory, PartyFactory
from tests.imports.importing import ACLED_COLUMNS, acled_row, errors_of, import_file, write_lines

BLOCK_BYTES = 1500  # a few rows a block, so that files of a few dozen rows have many


def csv_line(**values):
    row = acled_row(**values)
    cells = []
    for column in ACLED_COLUMNS:
        cell = row.get(column, "")
        if any(char in cell for char in ',"\n\r'):
            cell = '"' + cell.replace('"', '""') + '"'
        cells.append(cell)
    return ",".join(cells) + "\n"


def mixed_lines():
    """Good rows in every form the vectorised path reads, rows only the per-row parser reads,
    bad rows of every kind, and blocks pyarrow cannot read, spread over many blocks."""
    lines = [",".join(ACLED_COLUMNS) + "\n"]
    for n in range(3):
        lines += [
            csv_line(event_id_cnty=f"A{n}", event_date="31 December 2020", time_precision="2"),
            csv_line(
                event_id_cnty=f"B{n}", event_date="9-May-20", time_precision="3", geo_precision="3", admin2=""
            ),
            csv_line(event_id_cnty=f" C{n}\xa0", latitude=" 35.5 ", longitude="\t36", fatalities=" 12 "),
            csv_line(event_id_cnty=f"D{n}", notes="first line\nsecond, with a \\ and a\ttab", actor1=""),
            csv_line(event_id_cnty=f"U{n}", actor1="Unidentified Armed Group (Syria)"),
            csv_line(event_id_cnty=f"Y{n}", actor1="YPG: People's Protection Units"),
            csv_line(event_id_cnty=f"E{n}", notes="windows\r\nline end", source="", assoc_actor_1="Allies"),
            csv_line(event_id_cnty=f"F{n}", sub_event_type="", event_type="Remote violence", actor2=""),
            csv_line(event_id_cnty=f"G{n}", latitude="", longitude="", geo_precision="2", time_precision=""),
            csv_line(
                event_id_cnty=f"H{n}", latitude="3.5e1", fatalities="3.0"
            ),  # the per-row parser reads these
            csv_line(event_id_cnty=f"I{n}", latitude="-0", longitude="+36.1", fatalities="0012"),
            csv_line(event_id_cnty=f"J{n}", event_date="2020-02-30"),  # bad date
            csv_line(event_id_cnty=f"K{n}", latitude="90.0001"),  # out of range
            csv_line(event_id_cnty=f"L{n}", latitude="35.1", longitude=""),  # one without the other
            csv_line(event_id_cnty=f"M{n}", sub_event_type="Alien landing"),
            csv_line(event_id_cnty="   "),  # missing id
            csv_line(event_id_cnty=f"N{n}", admin1="x" * 101),
            csv_line(event_id_cnty=f"V{n}", location="\u00e9" * 200, fatalities="-1"),
            csv_line(event_id_cnty=f"O{n}", source="SOHR; " + "y" * 301),
            csv_line(event_id_cnty=f"P{n}", fatalities="many", geo_precision="9"),
            csv_line(event_id_cnty=f"Q{n}", time_precision="4", latitude="nan"),
            csv_line(event_id_cnty="A0"),  # duplicate
            csv_line(event_id_cnty=f"R{n}", actor1="\u00a0Hayat Tahrir al-Sham ", notes='He said "no"'),
        ]
        if n == 1:
            lines += [
                csv_line(event_id_cnty="S1", location="@@").replace("@@", "Sar\xe2qib").encode("latin-1"),
                "\n",  # a blank line
                "RAGGED,2019-04-02\n",
                csv_line(event_id_cnty="T1", notes="nul \x00 byte"),
                csv_line(event_id_cnty="U1", notes="a lone\rcarriage return"),
            ]
    return lines


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", BLOCK_BYTES)
    return write_lines(tmp_path / "mixed.csv", mixed_lines())


def row_items(path):
    """Every row as (line, cells or RowError) by the per-row path, and by the block path."""
    with open(path, "rb") as handle:
        stream = CsvStream(handle)
        per_row = list(stream)
        header = stream.header
    by_block, kinds = [], set()
    with open(path, "rb") as handle:
        handle.readline()
        for item in blocks(handle, header, first_line=2):
            if type(item) is Block:
                kinds.add("block")
                by_block += [(int(item.lines[n]), item.cells(n)) for n in range(len(item))]
            else:
                kinds.add("row")
                by_block.append(item)
    return header, per_row, by_block, kinds


def test_the_vectorised_strip_strips_what_str_strip_strips():
    assert set(blocks_module.WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def test_map_distinct_applies_the_rule_once_per_distinct_combination_of_cells():
    import pyarrow as pa

    calls = []

    def rule(name, number):
        calls.append((name, number))
        if name == "bad":
            raise BadValue("name", "bad")
        return name + number

    mapped = map_distinct(rule, pa.array(["x", "y", "x", "bad", "x"]), pa.array(["1", "1", "1", "2", "2"]))

    assert sorted(calls) == [("bad", "2"), ("x", "1"), ("x", "2"), ("y", "1")]
    assert mapped.column().to_pylist() == ["x1", "y1", "x1", None, "x2"]
    assert mapped.rejected().tolist() == [False, False, False, True, False]


def test_distinct_keys_are_numbered_the_same_by_table_and_by_sorting():
    keys = np.array([5, 3, 5, 9, 3, 0])

    by_table, by_sorting = blocks_module._distinct(keys, 10), blocks_module._distinct(keys, 10**9)

    for first, numbers in (by_table, by_sorting):
        assert first.tolist() == [5, 1, 0, 3]  # the first position of 0, 3, 5 and 9
        assert numbers.tolist() == [2, 1, 2, 3, 1, 0]


def test_blocks_give_the_rows_and_line_numbers_csv_reader_gives(mixed):
    _, per_row, by_block, kinds = row_items(mixed)

    assert by_block == per_row
    assert kinds == {"block", "row"}  # both paths were taken
    assert any(type(item) is RowError and "ragged" in item.reason for _, item in by_block)


def test_the_vectorised_parse_accepts_only_what_parse_accepts_with_the_same_values(mixed):
    header, _, _, _ = row_items(mixed)
    reader = AcledReader(header)
    accepted = rejected = 0
    with open(mixed, "rb") as handle:
        handle.readline()
        for block in blocks(handle, header, first_line=2):
            if type(block) is not Block:
                continue
            records, others = reader.parse_block(block)
            assert sorted(set(range(len(block))) - set(others)) == [
                n for n, line in enumerate(block.lines) if line in set(records.lines)
            ]
            for n, line in enumerate(records.lines):
                record = reader.parse(block.cells(list(block.lines).index(line)))
                staged = {
                    name: value if isinstance(value, str) else value[n].as_py()
                    for name, value in records.values.items()
                }
                for name in (
                    "latitude",
                    "longitude",
                ):  # the file's text, which the database reads as float() does
                    staged[name] = None if staged[name] is None else float(staged[name])
                assert staged == expected_values(record), line
                assert records.actors[records.actor_index[n]] == record.actor
                assert records.sources[records.source_index[n]] == record.sources
                accepted += 1
            for position in others:
                try:
                    reader.parse(block.cells(position))
                except BadValue:
                    rejected += 1
    assert accepted > 20 and rejected > 20


def expected_values(record):
    fields = record.fields

    def text(value):
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return str(value)

    values = {
        name: text(fields[name])
        for name in (
            "occurred_at",
            "date_precision",
            "occurred_until",
            "place_name",
            "admin1",
            "admin2",
            "location_precision",
            "category",
            "killed_unknown",
            "description",
        )
    }
    values.update(latitude=fields["latitude"], longitude=fields["longitude"])
    return {"source_dataset": record.source_dataset, "external_id": record.external_id, **values}


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the vectorised path is for PostgreSQL"
)


def imported():
    incidents = sorted(
        Incident.objects.values_list(
            "external_id",
            "occurred_at",
            "date_precision",
            "occurred_until",
            "place_name",
            "admin1",
            "admin2",
            "latitude",
            "longitude",
            "location_precision",
            "category",
            "perpetrator_id",
            "actor_name",
            "actor_case",
            "killed_unknown",
            "description",
        )
    )
    sources = sorted(
        Source.objects.values_list("incident__external_id", "name", "url", "published_on", "notes")
    )
    return incidents, sources


def import_both_ways(path, monkeypatch):
    """Import the ACLED file by blocks, then (into an emptied table) row by row; both must
    give the same incidents. Returns both results."""
    fast = import_file(path, "acled")
    fast_incidents = imported()
    Incident.objects.all().delete()
    monkeypatch.setattr(service, "available", lambda: False)
    slow = import_file(path, "acled")
    assert imported() == fast_incidents
    return fast, slow


@postgres_only
@pytest.mark.django_db
def test_both_paths_import_the_same_incidents_and_report_the_same_errors(mixed, monkeypatch):
    party = PartyFactory(name="HTS")
    PartyAliasFactory(party=party, name="Hayat Tahrir al-Sham")
    fast, slow = import_both_ways(mixed, monkeypatch)

    assert errors_of(fast) == errors_of(slow)
    assert (fast.rows, fast.created, fast.rejected) == (slow.rows, slow.created, slow.rejected)
    assert fast.unknown_actors == slow.unknown_actors
    assert fast.created > 20 and fast.rejected > 20


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "lines",
    [
        [
            ",".join(ACLED_COLUMNS) + "\r\n",
            csv_line(event_id_cnty="A").replace("\n", "\r\n"),
            csv_line(event_id_cnty="B")[:-1],
        ],
        [",".join(ACLED_COLUMNS) + "\n"],
    ],
    ids=["crlf-and-no-final-line-end", "header-only"],
)
def test_both_paths_agree_on_line_ends_and_empty_files(tmp_path, monkeypatch, lines):
    fast, slow = import_both_ways(write_lines(tmp_path / "a.csv", lines), monkeypatch)

    assert (fast.rows, fast.created, errors_of(fast)) == (slow.rows, slow.created, errors_of(slow))
