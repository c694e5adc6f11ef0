"""The pure rules, on hand-made arrays: no database."""

import datetime as dt
import inspect
import math

import numpy as np
import pytest
import shapely

from agreements.choices import DeadlineStatus
from agreements.geometry import bounding_box, buffered_km
from tracker import rules
from tracker.choices import Confidence

SARAQIB = (36.8006, 35.8636)
DAY = 86400.0
T0 = dt.datetime(2019, 4, 2, tzinfo=dt.UTC).timestamp()


def area(geometry, buffer_km=0):
    projection, shape_km = buffered_km(shapely.geometry.shape(geometry), buffer_km)
    return rules.AreaSpec(projection, shape_km, bounding_box(shapely.geometry.shape(geometry), buffer_km))


def incidents(*rows):
    """rows of (lon, lat, start, location_precision, date_precision, category, perpetrator)."""
    n = len(rows)
    lon, lat, starts, location, date, category, perpetrator = (list(c) for c in zip(*rows))
    return rules.IncidentArrays.from_codes(
        ids=range(1, n + 1),
        lon=[v if v is not None else np.nan for v in lon],
        lat=[v if v is not None else np.nan for v in lat],
        starts=starts,
        until=[np.nan] * n,
        category=[rules.CATEGORY_CODES[c] for c in category],
        perpetrator=[p if p is not None else np.nan for p in perpetrator],
        location_precision=[rules.LOCATION_CODES[p] for p in location],
        date_precision=[rules.DATE_CODES[p] for p in date],
    )


def clause(areas, categories=("shelling",), parties=(7,), starts=-math.inf, ends=math.inf):
    return rules.ClauseSpec(1, frozenset(categories), starts, ends, frozenset(parties), areas)


# A 10 km wide zone centred on Saraqib: a point with a 5 km buffer.
ZONE = area({"type": "Point", "coordinates": SARAQIB}, buffer_km=5)


def test_it_flags_an_exact_incident_inside_with_high_confidence():
    found = rules.match_clause(incidents((*SARAQIB, T0, "exact", "day", "shelling", 7)), clause([ZONE]))
    assert found.incident_ids.tolist() == [1]
    assert found.confidence == [Confidence.HIGH]


def test_buffers_are_kilometres_on_the_ground_not_degrees():
    # 4.5 km and 5.5 km east of Saraqib: one degree of longitude is ~90 km at 35.9 N.
    km_per_degree_lon = 111.32 * math.cos(math.radians(SARAQIB[1]))
    inside = (SARAQIB[0] + 4.5 / km_per_degree_lon, SARAQIB[1])
    outside = (SARAQIB[0] + 5.5 / km_per_degree_lon, SARAQIB[1])
    found = rules.match_clause(
        incidents(
            (*inside, T0, "exact", "day", "shelling", 7), (*outside, T0, "exact", "day", "shelling", 7)
        ),
        clause([ZONE]),
    )
    assert found.incident_ids.tolist() == [1]


def test_a_line_with_a_buffer_is_a_corridor():
    m4 = area({"type": "LineString", "coordinates": [[36.6, 35.817], [36.8006, 35.8636]]}, buffer_km=6)
    north_of_road = (36.7, 35.84 + 5 / 110.574)
    far_north = (36.7, 35.84 + 8 / 110.574)
    found = rules.match_clause(
        incidents(
            (*north_of_road, T0, "exact", "day", "shelling", 7),
            (*far_north, T0, "exact", "day", "shelling", 7),
        ),
        clause([m4]),
    )
    assert found.incident_ids.tolist() == [1]


def test_it_ignores_other_categories_parties_and_times():
    found = rules.match_clause(
        incidents(
            (*SARAQIB, T0, "exact", "day", "patrol", 7),  # category not prohibited
            (*SARAQIB, T0, "exact", "day", "shelling", 8),  # party not bound by the clause
            (*SARAQIB, T0 - 10 * DAY, "exact", "day", "shelling", 7),  # before the clause applies
        ),
        clause([ZONE], starts=T0 - DAY),
    )
    assert found.incident_ids.tolist() == []


def test_an_unknown_perpetrator_still_breaches_with_lower_confidence():
    found = rules.match_clause(incidents((*SARAQIB, T0, "exact", "day", "shelling", None)), clause([ZONE]))
    assert found.confidence == [Confidence.MEDIUM]
    assert "perpetrator unknown" in found.reasons[0]


def test_a_district_level_location_is_not_treated_as_an_exact_point():
    # The district's point is inside the 10 km zone, but a 40 km uncertainty disc is not.
    found = rules.match_clause(incidents((*SARAQIB, T0, "district", "day", "shelling", 7)), clause([ZONE]))
    assert found.confidence == [Confidence.LOW]
    assert "location is approximate and only possibly inside the area" in found.reasons[0]


def test_a_governorate_level_location_is_not_evidence_for_a_small_zone():
    found = rules.match_clause(incidents((*SARAQIB, T0, "governorate", "day", "shelling", 7)), clause([ZONE]))
    assert found.incident_ids.tolist() == []


def test_an_approximate_location_wholly_inside_a_large_area_is_medium():
    big = area({"type": "Point", "coordinates": SARAQIB}, buffer_km=100)
    found = rules.match_clause(incidents((*SARAQIB, T0, "near", "day", "shelling", 7)), clause([big]))
    assert found.confidence == [Confidence.MEDIUM]


def test_a_month_only_known_that_straddles_the_start_is_possible_and_low():
    found = rules.match_clause(
        incidents((*SARAQIB, T0, "exact", "month", "shelling", 7)), clause([ZONE], starts=T0 + 10 * DAY)
    )
    assert found.confidence == [Confidence.LOW]
    assert "date is approximate and only possibly inside the clause's period" in found.reasons[0]


def test_no_area_means_no_geographic_limit():
    found = rules.match_clause(incidents((10.0, 10.0, T0, "exact", "day", "shelling", 7)), clause([]))
    assert found.incident_ids.tolist() == [1]


def test_no_obligated_party_binds_everyone():
    found = rules.match_clause(
        incidents((*SARAQIB, T0, "exact", "day", "shelling", 99)), clause([ZONE], parties=())
    )
    assert found.confidence == [Confidence.HIGH]


def test_empty_input_gives_no_match():
    empty = rules.IncidentArrays.from_columns(np.empty((0, len(rules.INCIDENT_COLUMNS))))
    assert len(rules.match_clause(empty, clause([ZONE])).incident_ids) == 0


def test_the_columns_read_are_exactly_what_from_codes_takes():
    parameters = inspect.signature(rules.IncidentArrays.from_codes).parameters
    assert [column.name for column in rules.INCIDENT_COLUMNS] == list(parameters)
    coded = [column for column in rules.INCIDENT_COLUMNS if column.encoding == rules.Encoding.CODE]
    assert all(column.codes for column in coded)


def test_from_columns_reads_each_column_by_its_name():
    row = {
        "ids": 5,
        "lon": SARAQIB[0],
        "lat": SARAQIB[1],
        "starts": T0,
        "until": np.nan,
        "category": rules.CATEGORY_CODES["shelling"],
        "perpetrator": np.nan,
        "location_precision": rules.LOCATION_CODES["district"],
        "date_precision": rules.DATE_CODES["day"],
        "actor_case": rules.ACTOR_CASE_CODES["unidentified"],
    }
    arrays = rules.IncidentArrays.from_columns(np.array([[row[c.name] for c in rules.INCIDENT_COLUMNS]]))
    assert arrays.ids.tolist() == [5] and arrays.lon.tolist() == [SARAQIB[0]]
    assert arrays.ends.tolist() == [T0 + DAY - 1] and arrays.perpetrator.tolist() == [0]
    assert arrays.radius_km.tolist() == [40] and arrays.exact_date.tolist() == [True]


@pytest.mark.parametrize(
    "status, due_in_days, expected",
    [
        (DeadlineStatus.PENDING, -1, (DeadlineStatus.MISSED, False)),
        (DeadlineStatus.PENDING, 3, (DeadlineStatus.PENDING, True)),
        (DeadlineStatus.PENDING, 30, (DeadlineStatus.PENDING, False)),
        (DeadlineStatus.EXTENDED, -1, (DeadlineStatus.MISSED, False)),
        (DeadlineStatus.MET, -1, (DeadlineStatus.MET, False)),
        (DeadlineStatus.WAIVED, -1, (DeadlineStatus.WAIVED, False)),
    ],
)
def test_deadline_state(status, due_in_days, expected):
    now = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    assert rules.deadline_state(status, now + dt.timedelta(days=due_in_days), now, 7) == expected


def test_deadline_is_missed_exactly_at_its_due_moment():
    now = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    assert rules.deadline_state(DeadlineStatus.PENDING, now, now, 7)[0] == DeadlineStatus.MISSED
    assert rules.deadline_state(DeadlineStatus.PENDING, now + dt.timedelta(seconds=1), now, 7)[0] == "pending"


def test_arrays_accept_missing_coordinates():
    arrays = incidents((None, None, T0, "exact", "day", "shelling", 7))
    assert np.isnan(arrays.lon[0])
    assert rules.match_clause(arrays, clause([ZONE])).incident_ids.tolist() == []
