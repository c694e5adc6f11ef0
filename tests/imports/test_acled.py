import datetime as dt
import zoneinfo

import pytest

from core.choices import IncidentCategory
from incidents.choices import DatePrecision, LocationPrecision
from incidents.models import Incident, Source
from tests.factories import PartyAliasFactory, PartyFactory, SourceFactory
from tests.imports.importing import ACLED_COLUMNS, OLD_ACLED_COLUMNS, acled_row, import_file, write_csv

pytestmark = pytest.mark.django_db
UTC = dt.UTC
DAMASCUS = zoneinfo.ZoneInfo("Asia/Damascus")  # bare dates are local days there (INCIDENTS_IMPORT_TIMEZONE)


@pytest.fixture
def syria(db):
    party = PartyFactory(name="Syrian government", kind="state")
    PartyAliasFactory(party=party, name="Military Forces of Syria (2000-)", dataset="acled")
    return party


def test_it_reads_the_three_date_forms(tmp_path, syria):
    path = write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [
            acled_row(event_id_cnty="SYR1", event_date="31 December 2020"),
            acled_row(event_id_cnty="SYR2", event_date="2020-12-31"),
            acled_row(event_id_cnty="SYR3", event_date="9-May-20"),
        ],
    )

    result = import_file(path, "acled")

    assert (result.created, result.rejected) == (3, 0)
    days = {i.external_id: i.occurred_at.astimezone(DAMASCUS) for i in Incident.objects.all()}
    assert days["SYR1"] == dt.datetime(2020, 12, 31, tzinfo=DAMASCUS)
    assert days["SYR2"] == days["SYR1"]
    assert days["SYR3"].date() == dt.date(2020, 5, 9) and days["SYR3"].hour == 0


def test_it_maps_every_column(tmp_path, syria):
    path = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row()])

    import_file(path, "acled")

    incident = Incident.objects.get()
    assert incident.source_dataset == "acled" and incident.external_id == "SYR1"
    assert incident.category == IncidentCategory.SHELLING
    assert incident.perpetrator == syria  # through the alias
    assert incident.killed_unknown == 3 and incident.killed_civilians == 0
    assert (incident.place_name, incident.admin1, incident.admin2) == ("Saraqab", "Idleb", "Idleb")
    assert (incident.latitude, incident.longitude) == (35.8624, 36.8042)
    assert incident.location_precision == LocationPrecision.EXACT
    assert incident.date_precision == DatePrecision.DAY and incident.occurred_until is None
    assert incident.description.startswith("Regime forces shelled the market of Saraqab.")
    assert "Shelling/artillery/missile attack" in incident.description  # ACLED's own label is kept
    assert sorted(Source.objects.values_list("name", flat=True)) == ["SOHR", "Step Agency"]


def test_it_turns_week_and_month_precision_into_windows(tmp_path, syria):
    path = write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [
            acled_row(event_id_cnty="W", event_date="2019-04-10", time_precision="2", geo_precision="2"),
            acled_row(event_id_cnty="M", event_date="2019-04-15", time_precision="3", geo_precision="3"),
            acled_row(event_id_cnty="G", geo_precision="3", admin2=""),
        ],
    )

    import_file(path, "acled")

    local = DAMASCUS
    week = Incident.objects.get(external_id="W")
    assert week.date_precision == DatePrecision.WEEK
    assert week.occurred_at.astimezone(local).date() == dt.date(2019, 4, 7)
    assert week.occurred_until.astimezone(local).date() == dt.date(2019, 4, 13)
    assert week.location_precision == LocationPrecision.NEAR
    month = Incident.objects.get(external_id="M")
    assert month.date_precision == DatePrecision.MONTH
    assert month.occurred_at.astimezone(local).date() == dt.date(2019, 4, 1)
    assert month.occurred_until.astimezone(local).date() == dt.date(2019, 4, 30)
    assert month.location_precision == LocationPrecision.DISTRICT
    assert Incident.objects.get(external_id="G").location_precision == LocationPrecision.GOVERNORATE


def test_it_reads_old_column_names(tmp_path, syria):
    old = acled_row(
        data_id="1234",
        event_type="Battle-No change of territory",
        ally_actor_1="",
        iso3="SYR",
        event_date="9-May-18",
    )
    path = write_csv(tmp_path / "old.csv", OLD_ACLED_COLUMNS, [old])

    result = import_file(path, "acled")

    assert (result.created, result.rejected) == (1, 0)
    incident = Incident.objects.get()
    assert incident.external_id == "1234"
    assert incident.category == IncidentCategory.ARMED_CLASH
    assert incident.perpetrator == syria


def test_reimporting_the_same_file_changes_nothing(tmp_path, syria):
    path = write_csv(
        tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row(event_id_cnty=f"SYR{n}") for n in range(7)]
    )
    import_file(path, "acled")
    before = dict(Incident.objects.values_list("external_id", "updated_at"))

    result = import_file(path, "acled")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 7)
    assert Incident.objects.count() == 7 and Source.objects.count() == 14
    assert dict(Incident.objects.values_list("external_id", "updated_at")) == before


def test_an_updated_file_updates_by_external_id(tmp_path, syria):
    rows = [acled_row(event_id_cnty=f"SYR{n}") for n in range(4)]
    import_file(write_csv(tmp_path / "v1.csv", ACLED_COLUMNS, rows), "acled")
    first_ids = dict(Incident.objects.values_list("external_id", "id"))
    rows[0]["fatalities"] = "9"  # a field changed
    rows[1]["source"] = "SOHR; Step Agency; Enab Baladi"  # only the sources changed
    rows.append(acled_row(event_id_cnty="SYR9"))  # a new event

    result = import_file(write_csv(tmp_path / "v2.csv", ACLED_COLUMNS, rows), "acled")

    assert (result.created, result.updated, result.unchanged) == (1, 2, 2)
    assert Incident.objects.count() == 5
    assert dict(Incident.objects.exclude(external_id="SYR9").values_list("external_id", "id")) == first_ids
    assert Incident.objects.get(external_id="SYR0").killed_unknown == 9
    assert list(Incident.objects.get(external_id="SYR1").sources.values_list("name", flat=True)) == [
        "SOHR",
        "Step Agency",
        "Enab Baladi",
    ]
    assert Source.objects.filter(incident__external_id="SYR0").count() == 2  # replaced, not added


def test_an_update_keeps_staff_fields_and_confidential_sources(tmp_path, syria):
    rows = [acled_row()]
    import_file(write_csv(tmp_path / "v1.csv", ACLED_COLUMNS, rows), "acled")
    incident = Incident.objects.get()
    Incident.objects.filter(pk=incident.pk).update(status="verified", target_type="market")
    witness = SourceFactory(incident=incident, name="Witness A", confidential=True)
    rows[0]["fatalities"] = "5"

    result = import_file(write_csv(tmp_path / "v2.csv", ACLED_COLUMNS, rows), "acled")

    assert result.updated == 1
    incident.refresh_from_db()
    assert (incident.status, incident.target_type, incident.killed_unknown) == ("verified", "market", 5)
    assert incident.sources.filter(pk=witness.pk).exists()
    assert incident.sources.count() == 3


def test_a_spreadsheet_export_with_a_bom_crlf_and_upper_case_header_reads(tmp_path, syria):
    rows = [",".join(c.upper() for c in ACLED_COLUMNS)]
    row = acled_row(notes="Shelling, then clashes")
    rows.append(",".join(f'"{row[c]}"' if "," in row.get(c, "") else row.get(c, "") for c in ACLED_COLUMNS))
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")

    result = import_file(path, "acled")

    assert (result.created, result.rejected) == (1, 0)
    assert Incident.objects.get().description.startswith("Shelling, then clashes\n\n[ACLED")
