"""A dataset's first import on PostgreSQL is written straight into the tables (imports/direct.py):
it must give what the staging path gives (same incidents, sources, cases, errors and counts),
keep every guarantee (all or nothing, dry run, abort) and be taken only when no incident of
the dataset is stored yet."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports import blocks as blocks_module
from imports import direct
from imports import services as service
from incidents.models import ActorDecision, Incident, Source
from tests.factories import IncidentFactory, PartyAliasFactory, PartyFactory
from tests.imports.importing import ACLED_COLUMNS, acled_row, errors_of, import_file, write_csv, write_lines
from tests.imports.test_fast_path import BLOCK_BYTES, imported, mixed_lines, postgres_only

pytestmark = [pytest.mark.django_db, postgres_only]


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", BLOCK_BYTES)
    return write_lines(tmp_path / "mixed.csv", mixed_lines())


def written():
    """What an import wrote, ids aside: incidents (with their case and counts) and each
    incident's sources in the order of their ids."""
    incidents, _ = imported()
    sources = {}
    for external_id, *values in Source.objects.order_by("id").values_list(
        "incident__external_id", "name", "url", "published_on", "notes", "reliability", "confidential"
    ):
        sources.setdefault(external_id, []).append(tuple(values))
    statuses = sorted(Incident.objects.values_list("external_id", "status", "target_type", "weapons"))
    return incidents, sources, statuses


def import_three_ways(path, monkeypatch):
    """Straight into the tables (a first import), then by the staging tables in blocks (a
    stored incident of the dataset makes it not a first import), then row by row. Returns the
    three results, each checked to write the same rows."""
    PartyAliasFactory(party=PartyFactory(name="HTS"), name="Hayat Tahrir al-Sham")
    ActorDecision.objects.create(name="YPG: People's Protection Units", kind="unidentified")
    with CaptureQueriesContext(connection) as queries:
        first = import_file(path, "acled")
    assert not [q for q in queries.captured_queries if "import_stage" in q["sql"]]
    expected = written()
    results = [first]
    for by_rows in (False, True):
        Incident.objects.all().delete()
        stored = IncidentFactory(source_dataset="acled", external_id="stored elsewhere")
        if by_rows:
            monkeypatch.setattr(service, "available", lambda: False)
        results.append(import_file(path, "acled"))
        stored.delete()
        assert written() == expected
    return results


def test_a_first_import_writes_what_the_staging_path_writes(mixed, monkeypatch):
    first, by_blocks, by_rows = import_three_ways(mixed, monkeypatch)

    for other in (by_blocks, by_rows):
        assert errors_of(first) == errors_of(other)
        assert (first.rows, first.created, first.updated, first.unchanged, first.rejected) == (
            other.rows,
            other.created,
            other.updated,
            other.unchanged,
            other.rejected,
        )
        assert (first.unknown_actors, first.unidentified_actors) == (
            other.unknown_actors,
            other.unidentified_actors,
        )
    assert first.created > 20 and any("duplicate id" in reason for _, _, reason in errors_of(first))


def test_ids_of_one_hash_are_told_apart(mixed, monkeypatch):
    """Hashes that collide all the time (the length of the id): still exactly the duplicates,
    with their first lines."""
    monkeypatch.setattr(direct, "_hash", len)

    first, by_blocks, _ = import_three_ways(mixed, monkeypatch)

    assert errors_of(first) == errors_of(by_blocks)
    assert first.created == by_blocks.created


def test_duplicates_across_many_blocks_are_found(tmp_path, monkeypatch):
    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", BLOCK_BYTES)
    rows = [acled_row(event_id_cnty=f"X{n % 40}") for n in range(120)]
    path = write_csv(tmp_path / "a.csv", ACLED_COLUMNS, rows)

    result = import_file(path, "acled", batch_size=7)

    assert result.created == 40 and result.rejected == 80
    assert errors_of(result)[0] == (42, "event_id_cnty", "duplicate id 'X0' (first on line 2)")
    assert Incident.objects.count() == 40 and Source.objects.count() == 80


def test_a_failure_while_writing_leaves_nothing_half_written(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(event_id_cnty=f"S{n}") for n in range(10)])
    original = direct.FirstImportWriter.duplicates

    def write_then_fail(self):
        original(self)  # every row is written...
        raise RuntimeError("the database went away")  # ...then the connection drops

    monkeypatch.setattr(direct.FirstImportWriter, "duplicates", write_then_fail)

    with pytest.raises(RuntimeError):
        import_file(path, "acled", batch_size=4)

    assert Incident.objects.count() == 0 and Source.objects.count() == 0


def test_a_dry_run_or_an_abort_counts_but_writes_nothing(tmp_path):
    rows = [acled_row(event_id_cnty=f"S{n}") for n in range(10)]
    path = write_csv(tmp_path / "a.csv", ACLED_COLUMNS, [*rows, acled_row(event_id_cnty="S1")])

    dry = import_file(path, "acled", dry_run=True)
    aborted = import_file(path, "acled", on_error="abort")

    assert (dry.created, dry.rejected, dry.aborted) == (10, 1, False)
    assert (aborted.created, aborted.rejected, aborted.aborted) == (0, 1, True)
    assert Incident.objects.count() == 0 and Source.objects.count() == 0


def test_only_a_dataset_with_nothing_stored_is_written_straight(tmp_path):
    path = write_csv(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(event_id_cnty=f"S{n}") for n in range(3)])
    IncidentFactory(source_dataset="ucdp", external_id="S1")
    IncidentFactory(source_dataset="acled", external_id="")  # entered by hand: names no row

    with CaptureQueriesContext(connection) as first_queries:
        first = import_file(path, "acled")
    with CaptureQueriesContext(connection) as again_queries:
        again = import_file(path, "acled")

    assert not [q for q in first_queries.captured_queries if "import_stage" in q["sql"]]
    assert [q for q in again_queries.captured_queries if "import_stage" in q["sql"]]
    assert (first.created, again.created, again.unchanged) == (3, 0, 3)


@pytest.mark.django_db(transaction=True)
def test_a_database_error_on_the_writer_thread_midway_is_djangos_and_leaves_nothing(tmp_path, monkeypatch):
    """A block the database refuses, after others were written: nothing stays, and the error is
    Django's (an OperationalError, a lost connection, is what an upload's job retries)."""
    from django.db import DataError

    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", BLOCK_BYTES)
    path = write_csv(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(event_id_cnty=f"S{n}") for n in range(60)])
    original = direct.FirstImportWriter._block_payload
    blocks = []

    def second_refused(self, records, perpetrator_ids, digests):
        rows, columns, owner, sources = original(self, records, perpetrator_ids, digests)
        blocks.append(rows)
        if len(blocks) == 2:
            columns[direct.INCIDENT_COLUMNS.index("occurred_at") - 1] = "not a date"
        return rows, columns, owner, sources

    monkeypatch.setattr(direct.FirstImportWriter, "_block_payload", second_refused)

    with pytest.raises(DataError):
        import_file(path, "acled")

    assert len(blocks) >= 2
    assert Incident.objects.count() == 0 and Source.objects.count() == 0
