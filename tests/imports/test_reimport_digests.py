"""A re-import on PostgreSQL recognises the rows whose digest is the one stored (imports/digests.py):
it neither stages nor touches them, and gives exactly what comparing every row gives, whatever
changed meanwhile (the file, an analyst's edit, a source, a triage decision)."""

import numpy as np
import pytest
from django.db import connection

from agreements.models import Party, PartyAlias
from imports import blocks as blocks_module
from imports import digests as digests_module
from imports import services as service
from imports.staging import PostgresStaging
from incidents.models import ActorDecision, Incident, Source
from tests.factories import PartyAliasFactory, PartyFactory
from tests.imports.importing import errors_of, import_file, write_lines
from tests.imports.test_fast_path import BLOCK_BYTES, csv_line, mixed_lines, postgres_only
from tests.imports.test_first_import import written

pytestmark = [pytest.mark.django_db, postgres_only]


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", BLOCK_BYTES)


def row_versions():
    """Each incident's and each source's row version (xmin): what changes when a row is written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM incidents_incident ORDER BY id")
        incidents = cursor.fetchall()
        cursor.execute("SELECT id, xmin::text FROM incidents_source ORDER BY id")
        return incidents, cursor.fetchall()


def counts(result):
    return result.rows, result.created, result.updated, result.unchanged, result.rejected, errors_of(result)


def test_an_unchanged_file_imported_again_touches_no_row(tmp_path):
    path = write_lines(tmp_path / "mixed.csv", mixed_lines())
    first = import_file(path, "acled")
    assert Incident.objects.exclude(import_digest=None).count() > first.created / 2
    before = row_versions()
    again = import_file(path, "acled")
    assert row_versions() == before
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert errors_of(again) == errors_of(first)


def test_only_the_importer_keeps_a_digest():
    incident = Incident.objects.create(
        occurred_at="2020-01-01T00:00:00Z", source_dataset="acled", external_id="X1", import_digest=7
    )
    row = Incident.objects.filter(pk=incident.pk)
    row.update(event=12)  # the events grouping: not imported content
    assert row.get().import_digest == 7
    row.update(place_name="Idlib")
    assert row.get().import_digest is None
    row.update(import_digest=8)
    Source.objects.create(incident=incident, name="SOHR")
    assert row.get().import_digest is None
    row.update(import_digest=9)
    Source.objects.filter(incident=incident).delete()
    assert row.get().import_digest is None


def changes(path):
    """A second version of the mixed file: some rows changed, some new, some gone."""
    lines = mixed_lines()
    lines = [line for line in lines if not (isinstance(line, str) and line.startswith(("B1,", "G2,")))]
    changed = next(n for n, line in enumerate(lines) if isinstance(line, str) and line.startswith("U0,"))
    lines[changed] = csv_line(event_id_cnty="U0", actor1="Unidentified Armed Group (Syria)", fatalities="40")
    lines.append(csv_line(event_id_cnty="NEW1", actor1="Hayat Tahrir al-Sham"))
    lines.append(csv_line(event_id_cnty="NEW2", actor1="Someone New"))
    lines.append(csv_line(event_id_cnty="R0"))  # a repeat of a row recognised unchanged
    return write_lines(path, lines)


def edit_stored_rows():
    """What analysts do between two imports."""
    incidents = Incident.objects.filter(source_dataset="acled")
    edited = incidents.get(external_id="A1")
    edited.place_name = "Somewhere else"
    edited.save()
    Source.objects.create(incident=incidents.get(external_id="F0"), name="A new source")
    Source.objects.filter(incident__external_id="I2").delete()
    Source.objects.create(incident=incidents.get(external_id="I1"), name="Hidden", confidential=True)
    PartyAliasFactory(party=Party.objects.get(name="Someone"), name="Someone New")
    ActorDecision.objects.create(name="Military Forces of Syria (2000-)", kind="unidentified")


def by_party_name(what):
    """written(), each perpetrator named (parties created by an import get other ids each time)."""
    incidents, sources, statuses = what
    names = dict(Party.objects.values_list("pk", "name"))
    return [(*row[:11], names.get(row[11]), *row[12:]) for row in incidents], sources, statuses


@pytest.mark.parametrize(
    ("create_parties", "id_hash", "recognises", "read_late"),
    [
        (False, hash, True, False),
        (True, hash, True, False),
        (False, lambda key: len(key) % 3, False, False),  # stored ids of one hash: never recognised
        (
            False,
            lambda key: hash("R0") if key == "NEW1" else hash(key),
            True,
            False,
        ),  # a new id of a stored id's hash
        (False, hash, True, True),  # blocks parsed on while the stored digests are read
    ],
)
def test_a_mixed_reimport_gives_what_comparing_every_row_gives(
    tmp_path, monkeypatch, create_parties, id_hash, recognises, read_late
):
    monkeypatch.setattr(
        digests_module,
        "_id_hashes",
        lambda ids: np.array([id_hash(key) for key in ids.to_pylist()], dtype=np.int64).view(np.uint64),
    )
    read_again = []
    if read_late:  # read only once a few blocks wait, then once a row read one by one needs them
        monkeypatch.setattr(digests_module.StoredDigests, "ready", lambda self: False)
        monkeypatch.setattr(service, "WAITING_BLOCKS", 3)
        monkeypatch.setattr(
            service, "read_again", lambda *args: read_again.append(args) or blocks_module.read_again(*args)
        )
    first_file = write_lines(tmp_path / "first.csv", mixed_lines())
    second_file = changes(tmp_path / "second.csv")
    PartyAliasFactory(party=PartyFactory(name="HTS"), name="Hayat Tahrir al-Sham")
    kept = {PartyFactory(name="Someone").pk, Party.objects.get(name="HTS").pk}
    repeats = []
    sift = digests_module.StoredDigests.sift

    def sifting(self, *args, **kwargs):
        stage, found = sift(self, *args, **kwargs)
        repeats.extend(found)
        return stage, found

    monkeypatch.setattr(digests_module.StoredDigests, "sift", sifting)
    outcomes = []
    for digests in (True, False):
        Incident.objects.all().delete()
        ActorDecision.objects.all().delete()
        PartyAlias.objects.exclude(name="Hayat Tahrir al-Sham").delete()
        Party.objects.exclude(pk__in=kept).delete()
        if not digests:
            monkeypatch.setattr(service, "_digests_kept", lambda connection, reader: False)
        import_file(first_file, "acled")
        edit_stored_rows()
        result = import_file(second_file, "acled", create_parties=create_parties)
        outcomes.append((counts(result), by_party_name(written())))
        # Once more: the rows just written or compared are recognised now, with the same outcome.
        again = import_file(second_file, "acled", create_parties=create_parties)
        outcomes.append((again.unchanged + again.updated + again.created, by_party_name(written())))
    with_digests, with_digests_again, compared, compared_again = outcomes
    assert with_digests == compared
    assert with_digests_again == compared_again
    assert with_digests[0][2] >= 6  # U0, A1, F0, I2, the new alias and decision
    # Rows repeating the id of a row recognised unchanged were found (and reported as the staging would).
    assert bool(repeats) == recognises
    assert bool(read_again) == read_late  # blocks with rows to stage, parsed while waiting


def test_digests_of_another_version_stop_matching_once(tmp_path, monkeypatch):
    """Changing how digests are computed: the next import compares every row (as without
    digests) and stores the new digests; the one after recognises the rows again."""
    path = write_lines(tmp_path / "mixed.csv", mixed_lines())
    first = import_file(path, "acled")
    recognised = []
    stage_file = service._stage_file

    def staging(path, stream, stager, *args):
        rows = stage_file(path, stream, stager, *args)
        recognised.append(stager.recognised)
        return rows

    monkeypatch.setattr(service, "_stage_file", staging)
    import_file(path, "acled")
    stored = dict(Incident.objects.values_list("external_id", "import_digest"))
    monkeypatch.setattr(digests_module, "DIGEST_VERSION", digests_module.DIGEST_VERSION + 1)
    compared = import_file(path, "acled")
    restamped = dict(Incident.objects.values_list("external_id", "import_digest"))
    before = row_versions()
    again = import_file(path, "acled")
    assert recognised[1] == 0 and recognised[0] == recognised[2] > first.created / 2
    assert (compared.created, compared.updated, compared.unchanged) == (0, 0, first.created)
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert errors_of(compared) == errors_of(again) == errors_of(first)
    kept = [key for key, digest in stored.items() if digest is not None]
    assert len(kept) > first.created / 2 and all(restamped[key] not in (None, stored[key]) for key in kept)
    assert row_versions() == before


def test_the_rows_recognised_unchanged_are_not_staged(tmp_path, monkeypatch):
    path = write_lines(tmp_path / "mixed.csv", mixed_lines())
    import_file(path, "acled")
    staged = []
    add_block = PostgresStaging.add_block

    def counting(self, records, *args):
        staged.append(len(records))
        return add_block(self, records, *args)

    monkeypatch.setattr(PostgresStaging, "add_block", counting)
    again = import_file(path, "acled")
    # Only the blocks holding a row read one by one are staged (see _Stager.stage_block).
    assert sum(staged) < again.unchanged / 2
