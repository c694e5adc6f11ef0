import datetime as dt
import io

import pytest

from incidents.importers.tracker_csv import TRACKER_COLUMNS, write_incidents
from incidents.models import Incident, Source
from tests.factories import IncidentFactory, PartyFactory, SourceFactory
from tests.incidents.importing import errors_of, import_file, write_lines

pytestmark = pytest.mark.django_db
UTC = dt.timezone.utc
COMPARED = [
    f.attname for f in Incident._meta.concrete_fields
    if f.attname not in ("id", "created_at", "updated_at", "created_by_id")
]


def snapshot():
    incidents = {}
    for incident in Incident.objects.prefetch_related("sources"):
        key = (incident.source_dataset or "tracker", incident.external_id or str(incident.pk))
        values = {name: getattr(incident, name) for name in COMPARED if name not in ("source_dataset", "external_id")}
        values["sources"] = [(s.name, s.url) for s in incident.sources.all() if not s.confidential]
        incidents[key] = values
    return incidents


@pytest.fixture
def incidents():
    hts = PartyFactory(name="Hay'at Tahrir al-Sham")
    first = IncidentFactory(
        source_dataset="acled", external_id="SYR42", perpetrator=hts, weapons=["cluster_munitions", "rockets"],
        target_type="council_building", killed_civilians=2, injured_civilians=5, description="Line one\nلجنة",
        place_name="سراقب", occurred_until=dt.datetime(2019, 4, 2, 18, tzinfo=UTC), date_precision="day",
    )
    SourceFactory(incident=first, name="SOHR", url="https://example.org/a")
    SourceFactory(incident=first, name="Step Agency", url="")
    SourceFactory(incident=first, name="Witness", confidential=True)
    IncidentFactory(perpetrator=None, latitude=None, longitude=None, location_precision="governorate")
    return Incident.objects.all()


def export(incidents=None):
    out = io.StringIO(newline="")
    write_incidents(Incident.objects.all() if incidents is None else incidents, out, hxl=True)
    return out.getvalue()


def test_export_then_import_gives_the_same_data(incidents, tmp_path):
    before = snapshot()
    path = write_lines(tmp_path / "export.csv", [export()])
    Incident.objects.all().delete()

    result = import_file(path, "tracker")

    assert (result.created, result.rejected) == (2, 0)
    assert snapshot() == before


def test_importing_the_export_into_the_same_database_changes_nothing(incidents, tmp_path):
    path = write_lines(tmp_path / "export.csv", [export(Incident.objects.exclude(external_id=""))])

    result = import_file(path, "tracker")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Source.objects.filter(confidential=True).count() == 1


def test_the_hxl_row_is_skipped_and_the_header_is_the_documented_one(incidents, tmp_path):
    lines = export().splitlines()
    assert lines[0].split(",") == TRACKER_COLUMNS
    assert lines[1].startswith("#meta+dataset,#meta+id,#date+start")

    result = import_file(write_lines(tmp_path / "e.csv", [export()]), "tracker", dry_run=True)

    assert result.rows == 2 and result.rejected == 0


def test_bad_tracker_rows_are_reported(tmp_path):
    head = ",".join(TRACKER_COLUMNS) + "\n"
    good = ["acled", "A1", "2019-04-02T09:00:00+00:00", "day", "", "Saraqib", "Idlib", "", "35.86", "36.80",
            "exact", "shelling", "", "", "", "0", "0", "0", "0", "0", "0", "", "draft", "", ""]

    def row(**changes):
        values = dict(zip(TRACKER_COLUMNS, good))
        values.update(changes)
        return ",".join(values[c] for c in TRACKER_COLUMNS) + "\n"

    path = write_lines(tmp_path / "t.csv", [
        head, row(), row(external_id="A2", category="bombing"), row(external_id="A3", weapons="ray_gun"),
        row(external_id="A4", occurred_at="yesterday"), row(external_id="A5", killed_civilians="-1"),
        row(external_id="A6", longitude="200"),
    ])

    result = import_file(path, "tracker")

    assert result.created == 1
    assert errors_of(result) == [
        (3, "category", "unknown category 'bombing'"),
        (4, "weapons", "unknown weapon 'ray_gun'"),
        (5, "occurred_at", "unparseable date 'yesterday' (expected ISO 8601, e.g. 2019-04-02T09:00:00+00:00)"),
        (6, "killed_civilians", "negative count -1"),
        (7, "longitude", "200 is out of range (-180 to 180)"),
    ]
