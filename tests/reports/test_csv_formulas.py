"""Report CSVs never carry a live spreadsheet formula, whatever text was imported."""

import csv
import datetime as dt
import io

import pytest

from reports.render import BREAKDOWN_METRICS, to_csv
from reports.services import build_report_content
from tests.reports.conftest import WEEK_END, WEEK_START

FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def poisoned_week(fixture_week):
    for incident in fixture_week["incidents"].values():
        incident.place_name = FORMULA
        incident.admin1 = "+cmd|' /C calc'!A0"
        incident.admin2 = "@SUM(1+1)"
        incident.save()
    fixture_week["incidents"]["saraqib"].sources.update(name="-2+3")
    return fixture_week


def test_no_cell_of_a_report_csv_runs_as_a_formula(poisoned_week):
    content = build_report_content(
        agreement=poisoned_week["agreement"],
        start=WEEK_START,
        end=WEEK_END,
        tz=poisoned_week["agreement"].tz,
        now=dt.datetime(2019, 4, 8, 12, tzinfo=dt.UTC),
    )
    cells = [cell for row in csv.reader(io.StringIO(content["csv"])) for cell in row]
    assert any(FORMULA in cell for cell in cells), "the poisoned text is in the report"
    assert not [
        cell for cell in cells if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not _number(cell))
    ]


def test_numbers_stay_numbers():
    data_csv = to_csv(
        {
            "period": dict.fromkeys(
                ["start", "end", "timezone", "previous_start", "previous_end"], "2019-04-01"
            ),
            "agreement": None,
            "generated_at": "2019-04-08T00:00:00Z",
            "totals": dict.fromkeys(BREAKDOWN_METRICS, -1),
            "casualties": {"killed": -3, "injured": 2.5},
            "deadlines": {},
            "most_serious": [],
            "timeline": {"days": [], "series": {}},
            **{section: [] for section in ("by_clause", "by_party", "by_area", "by_category")},
        }
    )
    assert "totals,,All,violations,-1\n" in data_csv
    assert "casualties,,,killed,-3\n" in data_csv and "casualties,,,injured,2.5\n" in data_csv


def _number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False
