import csv
import datetime as dt
from collections import Counter

import pytest

from core.choices import IncidentCategory
from incidents.choices import DatePrecision, LocationPrecision
from incidents.models import Incident, Source
from tests.imports.importing import UCDP_FILE, import_file

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not UCDP_FILE.exists(), reason=f"real UCDP file not found at {UCDP_FILE}"),
]


@pytest.fixture(scope="module")
def file_rows():
    with UCDP_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_real_file_imports_completely(file_rows):
    result = import_file(UCDP_FILE, "ucdp", batch_size=1000)

    assert (result.rows, result.created, result.rejected) == (4809, 4809, 0)
    assert Incident.objects.filter(source_dataset="ucdp").count() == 4809
    violence = Counter(row["type_of_violence"] for row in file_rows)
    categories = Counter(Incident.objects.values_list("category", flat=True))
    assert categories == {
        IncidentCategory.ARMED_CLASH: violence["1"] + violence["2"],
        IncidentCategory.ATTACK_ON_CIVILIANS: violence["3"],
    }
    assert Source.objects.count() == sum(row["source_article"].count('";"') + 1 for row in file_rows)
    deaths = sum(int(row["best"]) for row in file_rows)
    assert sum(i.killed for i in Incident.objects.all()) == deaths
    assert result.unknown_actors["Government of Syria"] == 3009  # no parties yet: reported, not dropped


def test_reimporting_the_real_file_makes_no_new_rows():
    import_file(UCDP_FILE, "ucdp", batch_size=1000)

    result = import_file(UCDP_FILE, "ucdp", batch_size=1000)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 4809)
    assert Incident.objects.count() == 4809


def test_a_multi_day_event_keeps_its_window_and_sources():
    import_file(UCDP_FILE, "ucdp", batch_size=1000)

    incident = Incident.objects.get(
        source_dataset="ucdp", external_id="276333"
    )  # 2018-11-21..23, date_prec 2
    local = dt.timezone(dt.timedelta(hours=2))  # Damascus in November 2018
    assert incident.date_precision == DatePrecision.DAYS
    assert incident.occurred_at == dt.datetime(2018, 11, 21, tzinfo=local)
    assert incident.occurred_until == dt.datetime(2018, 11, 23, 23, 59, 59, tzinfo=local)
    assert (incident.place_name, incident.admin1, incident.admin2) == (
        "Ash Shafah town",
        "Deir ez Zor Governorate",
        "Albu Kamal district",
    )
    assert incident.location_precision == LocationPrecision.EXACT
    assert incident.killed_civilians == 6
    assert list(incident.sources.values_list("name", "published_on", "notes")) == [
        ("Airwars", dt.date(2018, 11, 22), "US-led Coalition in Iraq & Syria"),
    ]
    assert "side_a: IS; side_b: SDF" in incident.description
