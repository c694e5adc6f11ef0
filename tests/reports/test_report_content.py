import json

import pytest
from django.utils import timezone

from reports.build import build_report_data, unknown_party
from reports.services import build_report_content
from tests.reports.conftest import DAMASCUS, WEEK_END, WEEK_START


def build(agreement, **kwargs):
    return build_report_content(
        agreement=agreement, start=WEEK_START, end=WEEK_END, tz=DAMASCUS, now=timezone.now(), **kwargs
    )


def build_data(agreement, **kwargs):
    """The numbers alone (no charts): faster, for tests of content."""
    return build_report_data(
        agreement=agreement, start=WEEK_START, end=WEEK_END, tz=DAMASCUS, now=timezone.now(), **kwargs
    )


def by_label(rows):
    return {row["label"]: row for row in rows}


def test_it_counts_violations_by_clause_for_the_week(fixture_week):
    data = build_data(fixture_week["agreement"])

    clauses = by_label(data["by_clause"])
    assert set(clauses) == {"§1 Ceasefire", "§2 Demilitarized zone"}
    c1, c2 = clauses["§1 Ceasefire"], clauses["§2 Demilitarized zone"]
    assert (c1["violations"], c1["high"], c1["medium"], c1["low"]) == (3, 1, 0, 2)
    assert (c1["flagged"], c1["confirmed"], c1["dismissed"]) == (2, 1, 0)
    assert (c1["previous_violations"], c1["change"]) == (1, 2)
    assert (c2["violations"], c2["high"], c2["medium"], c2["low"]) == (2, 1, 1, 0)
    assert (c2["flagged"], c2["confirmed"], c2["dismissed"]) == (1, 1, 1)
    assert c2["previous_violations"] == 0


def test_it_counts_violations_by_party_with_unknown_perpetrators(fixture_week):
    parties = by_label(build_data(fixture_week["agreement"])["by_party"])

    gov, hts, unknown = (
        parties["Government of Syria"],
        parties["Hay'at Tahrir al-Sham"],
        parties[unknown_party()],
    )
    assert (gov["violations"], gov["incidents"], gov["previous_violations"]) == (3, 2, 1)
    assert (hts["violations"], hts["incidents"], hts["dismissed"]) == (1, 1, 1)
    assert (unknown["violations"], unknown["key"]) == (1, None)


def test_it_sums_totals_casualties_and_trend_over_incidents(fixture_week):
    data = build_data(fixture_week["agreement"])

    assert (data["totals"]["violations"], data["totals"]["incidents"]) == (5, 4)
    # Saraqib counts once although it breaches two clauses; dismissed, withdrawn and other
    # agreements' incidents do not count.
    assert (data["casualties"]["killed"], data["casualties"]["injured"]) == (4, 5)
    assert data["casualties"]["killed_civilians"] == 3
    assert data["casualties"]["previous_killed"] == 7
    assert data["trend"]["violations"] == {"current": 5, "previous": 1, "change": 4, "change_percent": 400.0}


def test_it_breaks_down_by_area_and_category(fixture_week):
    data = build_data(fixture_week["agreement"])

    categories = {row["key"]: row["violations"] for row in data["by_category"]}
    assert categories == {"shelling": 4, "air_strike": 1}
    areas = {row["label"]: row["violations"] for row in data["by_area"]}
    assert areas == {"Idlib / Idlib district": 2, "Idlib": 3}


def test_it_draws_the_daily_timeline_in_the_agreement_time_zone(fixture_week):
    timeline = build_data(fixture_week["agreement"])["timeline"]

    assert timeline["days"][0] == "2019-04-01" and len(timeline["days"]) == 7
    assert timeline["series"]["Government of Syria"] == [0, 2, 1, 0, 0, 0, 0]
    assert timeline["series"]["Hay'at Tahrir al-Sham"] == [1, 0, 0, 0, 0, 0, 0]
    assert timeline["series"][unknown_party()] == [0, 0, 0, 0, 1, 0, 0]


def test_it_lists_missed_overdue_and_upcoming_deadlines(fixture_week):
    deadlines = build_data(fixture_week["agreement"])["deadlines"]

    assert [d["description"] for d in deadlines["missed_in_period"]] == ["Heavy weapons out of the zone"]
    assert [d["description"] for d in deadlines["overdue"]] == [
        "Radical groups out",
        "Heavy weapons out of the zone",
    ]
    assert [d["description"] for d in deadlines["due_next"]] == ["Joint patrols begin"]


def test_it_ranks_the_most_serious_incidents_by_casualties(fixture_week):
    serious = build_data(fixture_week["agreement"])["most_serious"]

    assert [i["place"] for i in serious][:2] == ["Saraqib", "Ariha"]
    assert serious[0]["clauses"] == ["sochi-2018 §1", "sochi-2018 §2"]
    assert (serious[0]["killed"], serious[0]["injured"]) == (3, 5)
    assert len(serious) == 4


def test_confidential_sources_never_appear_by_default(fixture_week):
    content = build(fixture_week["agreement"])

    assert [s["name"] for s in content["data"]["most_serious"][0]["sources"]] == ["SOHR bulletin"]
    for text in (content["html"], content["email_html"], content["csv"], json.dumps(content["data"])):
        assert "SOHR bulletin" in text
        assert "Abu Khaled" not in text


def test_confidential_sources_appear_when_allowed_and_are_marked(fixture_week):
    content = build(fixture_week["agreement"], include_confidential=True)

    sources = content["data"]["most_serious"][0]["sources"]
    assert [(s["name"], s["confidential"]) for s in sources] == [
        ("SOHR bulletin", False),
        ("Witness Abu Khaled", True),
    ]
    assert "Abu Khaled" in content["html"] and "(confidential)" in content["html"]


def test_an_all_agreements_report_includes_every_agreement(fixture_week):
    data = build_report_content(
        agreement=None, start=WEEK_START, end=WEEK_END, tz=DAMASCUS, now=timezone.now()
    )["data"]

    assert data["totals"]["violations"] == 6
    assert {row["agreement"] for row in data["by_clause"]} == {"sochi-2018", "astana-2017"}


def test_the_formats_carry_the_same_numbers(fixture_week):
    content = build(fixture_week["agreement"], pdf=True)

    assert "by_clause,{},§1 Ceasefire,violations,3".format(fixture_week["clauses"][0].id) in content["csv"]
    assert content["html"].count("data:image/png;base64,") == 2
    assert "cid:timeline@report" in content["email_html"] and "cid:map@report" in content["email_html"]
    assert content["timeline_png"].startswith(b"\x89PNG") and content["map_png"].startswith(b"\x89PNG")
    assert content["pdf"].startswith(b"%PDF-") and content["pdf"].rstrip().endswith(b"%%EOF")
    assert content["pdf"].count(b"/Type /Page\n") >= 2 and content["pdf"].count(b"/Subtype /Image") == 2
    assert json.loads(json.dumps(content["data"]))["totals"]["violations"] == 5


@pytest.mark.django_db
def test_an_empty_period_still_builds(fixture_week):
    content = build_report_content(
        agreement=fixture_week["agreement"],
        start=WEEK_START.replace(year=2015),
        end=WEEK_END.replace(year=2015),
        tz=DAMASCUS,
        now=timezone.now(),
    )
    assert content["data"]["totals"]["violations"] == 0
    assert "No incidents with violations" in content["html"]
