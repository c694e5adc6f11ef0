"""Our own CSV: what the API exports (`?format=csv`) imports back as the same data."""

import csv
import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from imports.tracker_csv import TRACKER_COLUMNS
from incidents.models import Incident, Source
from tests.factories import IncidentFactory, PartyFactory, SourceFactory
from tests.imports.importing import errors_of, import_file, write_lines

pytestmark = pytest.mark.django_db
UTC = dt.UTC
COMPARED = [
    f.attname
    for f in Incident._meta.concrete_fields
    if f.attname
    not in (
        "id",
        "created_at",
        "updated_at",
        "created_by_id",
        "source_dataset",
        "external_id",
        "import_digest",
    )
]


def snapshot():
    """Every incident's data (not the database's own columns), by a key stable across databases."""
    incidents = {}
    for incident in Incident.objects.prefetch_related("sources"):
        # A hand-entered incident is "tracker"/<id>@<created_at> in another database.
        key = (incident.source_dataset or "tracker", (incident.external_id or str(incident.pk)).split("@")[0])
        values = {name: getattr(incident, name) for name in COMPARED}
        values["sources"] = sorted(
            (s.name, s.url, s.published_on, s.notes, s.reliability)
            for s in incident.sources.all()
            if not s.confidential
        )
        incidents[key] = values
    return incidents


@pytest.fixture
def incidents():
    hts = PartyFactory(name="Hay'at Tahrir al-Sham")
    imported = IncidentFactory(
        source_dataset="acled",
        external_id="SYR42",
        perpetrator=hts,
        weapons=["cluster_munitions", "rockets"],
        target_type="council_building",
        killed_civilians=2,
        injured_civilians=5,
        description="Line one\nلجنة",
        place_name="سراقب",
        occurred_until=dt.datetime(2019, 4, 2, 18, tzinfo=UTC),
        date_precision="day",
    )
    SourceFactory(
        incident=imported,
        name="SOHR",
        url="https://example.org/a",
        notes="Video; two angles",
        reliability="B",
    )
    SourceFactory(incident=imported, name="Step; Agency", url="", published_on=None)
    SourceFactory(incident=imported, name="Witness", confidential=True)
    by_hand = IncidentFactory(
        perpetrator=None,
        latitude=None,
        longitude=None,
        location_precision="governorate",
        description='=HYPERLINK("x") -- not a formula here\r\nsecond line',
        place_name="-",
        status="draft",
        source_dataset="field-team",
    )
    SourceFactory(incident=by_hand, name="+963 phone call", url="", notes="@monitor")
    return Incident.objects.all()


def export(user):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/incidents/", {"format": "csv", "page_size": 1000})
    assert response.status_code == 200
    return response.content


def test_export_then_import_into_an_empty_database_gives_the_same_data(incidents, analyst, tmp_path):
    before = snapshot()
    path = write_lines(tmp_path / "export.csv", [export(analyst)])
    Incident.objects.all().delete()

    result = import_file(path, "tracker")

    assert (result.created, result.rejected) == (2, 0)
    assert snapshot() == before
    # Confidential sources are never imported, even from an export that showed them.
    assert not Source.objects.filter(name="Witness").exists()


def test_importing_the_export_into_the_same_database_changes_nothing(incidents, analyst, tmp_path):
    before = snapshot()
    path = write_lines(tmp_path / "export.csv", [export(analyst)])

    result = import_file(path, "tracker")

    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 0, 2, 0)
    assert snapshot() == before
    assert Incident.objects.count() == 2
    by_hand = Incident.objects.get(external_id="")  # the hand-entered one keeps no id...
    assert by_hand.source_dataset == "field-team"  # ...and its own dataset
    assert by_hand.description.endswith("\r\nsecond line")
    assert Source.objects.filter(confidential=True).count() == 1


def test_an_edited_export_updates_the_hand_entered_incident_in_place(incidents, viewer, tmp_path):
    by_hand = Incident.objects.get(external_id="")
    text = export(viewer).decode()
    assert "not a formula here" in text
    path = write_lines(tmp_path / "edited.csv", [text.replace("not a formula here", "edited")])

    result = import_file(path, "tracker")

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    by_hand.refresh_from_db()
    assert by_hand.description == '=HYPERLINK("x") -- edited\r\nsecond line'
    assert (by_hand.place_name, by_hand.source_dataset, by_hand.external_id) == ("-", "field-team", "")
    # A Viewer's export does not show the confidential source: importing it leaves that alone.
    assert Source.objects.filter(confidential=True).count() == 1


def test_an_id_of_another_database_is_not_taken_for_a_local_incident(incidents, analyst, tmp_path):
    """Same id, other created_at: another database's incident, imported as <id>@<created_at>."""
    by_hand = Incident.objects.get(external_id="")
    path = write_lines(tmp_path / "export.csv", [export(analyst)])
    Incident.objects.filter(pk=by_hand.pk).update(created_at=by_hand.created_at - dt.timedelta(seconds=1))

    result = import_file(path, "tracker")
    again = import_file(path, "tracker")

    assert (result.created, result.unchanged) == (1, 1)
    assert (again.created, again.unchanged) == (0, 2)
    copy = Incident.objects.get(source_dataset="field-team", external_id__startswith=f"{by_hand.pk}@")
    assert copy.pk != by_hand.pk and copy.description == by_hand.description


def test_another_databases_incident_with_the_same_id_is_left_alone(incidents, analyst, tmp_path):
    """#N of another database, imported here before, is not this database's #N."""
    by_hand = Incident.objects.get(external_id="")
    other = IncidentFactory(
        source_dataset="tracker",
        external_id=f"{by_hand.pk}@2020-01-01T00:00:00+00:00",
        place_name="Elsewhere",
    )
    path = write_lines(tmp_path / "export.csv", [export(analyst)])

    result = import_file(path, "tracker")

    assert (result.created, result.updated, result.rejected) == (0, 0, 0)
    other.refresh_from_db()
    assert other.place_name == "Elsewhere"


def test_a_names_only_file_never_makes_a_witness_public(incidents, analyst, tmp_path):
    """The export lists confidential sources only in sources_json: without that column, an
    analyst's export still names no witness."""
    table = list(csv.reader(io.StringIO(export(analyst).decode())))
    assert table[0][-1] == "sources_json"
    names = [row[table[0].index("sources")] for row in table[2:]]
    assert not any("Witness" in cell for cell in names)
    assert any("Witness" in row[-1] for row in table[2:])  # the analyst sees it in sources_json
    names_only = [row[:-1] for row in table]
    out = io.StringIO()
    csv.writer(out).writerows(names_only)
    Incident.objects.all().delete()

    result = import_file(write_lines(tmp_path / "names.csv", [out.getvalue()]), "tracker")

    assert result.created == 2
    assert not Source.objects.filter(name="Witness").exists()
    assert Source.objects.filter(name="+963 phone call").exists()  # the formula guard undone per name


def test_the_hxl_row_is_skipped_and_the_header_is_the_apis(incidents, viewer, tmp_path):
    lines = export(viewer).decode().splitlines()
    assert lines[0].split(",") == TRACKER_COLUMNS
    assert lines[1].startswith("#event+id,#date+occurred")

    result = import_file(write_lines(tmp_path / "e.csv", [export(viewer)]), "tracker", dry_run=True)

    assert result.rows == 2 and result.rejected == 0


def test_a_file_without_sources_json_reads_the_source_names(tmp_path):
    head = "external_id,source_dataset,id,occurred_at,category,sources\n"
    path = write_lines(
        tmp_path / "t.csv", [head, "A1,partner,,2019-04-02T09:00:00Z,shelling,SOHR;Step Agency\n"]
    )

    result = import_file(path, "tracker")

    assert result.created == 1
    incident = Incident.objects.get(source_dataset="partner", external_id="A1")
    assert sorted(incident.sources.values_list("name", flat=True)) == ["SOHR", "Step Agency"]


def test_bad_tracker_rows_are_reported(tmp_path):
    columns = [
        "id",
        "source_dataset",
        "external_id",
        "occurred_at",
        "category",
        "longitude",
        "latitude",
        "weapons",
        "killed_civilians",
        "sources_json",
        "created_at",
    ]
    good = dict(
        zip(
            columns,
            ["", "acled", "A1", "2019-04-02T09:00:00Z", "shelling", "36.80", "35.86", "", "0", "", ""],
        )
    )

    def row(**changes):
        values = {**good, **changes}
        return ",".join(values[c] for c in columns) + "\n"

    path = write_lines(
        tmp_path / "t.csv",
        [
            ",".join(columns) + "\n",
            row(),
            row(external_id="A2", category="bombing"),
            row(external_id="A3", weapons="ray_gun"),
            row(external_id="A4", occurred_at="yesterday"),
            row(external_id="A5", killed_civilians="-1"),
            row(external_id="A6", longitude="200"),
            row(external_id="", id=""),
            row(external_id="", id="12x"),
            row(external_id="A9", sources_json='"[{""url"": ""x""}]"'),
            row(external_id="A10", sources_json="{oops"),
            row(external_id="A11", sources_json='"[{""name"": ""SOHR"", ""reliability"": ""Z""}]"'),
        ],
    )

    result = import_file(path, "tracker")

    assert result.created == 1
    assert errors_of(result) == [
        (3, "category", "unknown category 'bombing'"),
        (4, "weapons", "unknown weapon 'ray_gun'"),
        (
            5,
            "occurred_at",
            "unparseable date 'yesterday' (expected ISO 8601, e.g. 2019-04-02T09:00:00+00:00)",
        ),
        (6, "killed_civilians", "negative count -1"),
        (7, "longitude", "200 is out of range (-180 to 180)"),
        (8, "external_id", "missing id (give external_id, or the id of an exported incident)"),
        (9, "id", "not an incident id: '12x'"),
        (10, "sources_json", "a source without a name"),
        (11, "sources_json", "not a JSON list of sources"),
        (12, "sources_json", "source 'SOHR': unknown reliability 'Z'"),
    ]
