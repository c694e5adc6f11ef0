"""Pure compliance rules: no ORM, no Celery. Arrays in, decisions out.

An incident breaches a clause when its category is prohibited, it lies in one of the clause's
areas, its time falls inside the clause's in-force window, and its perpetrator is bound by the
clause (or unidentified: the source does not know who did it). An actor the source names but
that is no registered party is never bound: it waits for an analyst (actor triage). Every test is done on whole numpy arrays, one clause at a time, so a
scan costs a few vector operations per clause rather than Python work per incident.

Uncertainty lowers confidence instead of hiding a breach:
- place: an incident known only to a district is a disc of LOCATION_UNCERTAINTY_KM around its
  point. Wholly inside the area: inside, with a penalty of 1. Partly inside: "possibly" inside,
  penalty 2, and only for discs up to MAX_POSSIBLE_RADIUS_KM (a governorate-wide report is
  not evidence that something happened in a 20 km zone).
- time: an incident known only to a week or month is a window. Wholly inside the clause's
  window: penalty 1 (0 for exact time or day). Overlapping it: "possibly" inside, penalty 2.
- perpetrator unknown: penalty 1.
Confidence is high with no penalty, medium with 1, low with 2 or more.
"""

import datetime as dt
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Self

import numpy as np
import numpy.typing as npt
import shapely
from django.utils.translation import gettext_noop  # the reasons are stored in English, shown translated

from agreements.choices import DeadlineStatus
from agreements.geometry import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON_AT_EQUATOR, LocalProjection
from core.choices import IncidentCategory
from incidents.choices import LOCATION_UNCERTAINTY_KM, ActorCase, DatePrecision, LocationPrecision
from tracker.choices import Confidence

DAY = 86400.0
MAX_POSSIBLE_RADIUS_KM = LOCATION_UNCERTAINTY_KM[LocationPrecision.DISTRICT]

# Length of the time window implied by a date precision when no end is given (seconds).
PRECISION_WINDOW_SECONDS = {
    DatePrecision.EXACT: 0.0,
    DatePrecision.DAY: DAY,
    DatePrecision.DAYS: 7 * DAY,
    DatePrecision.WEEK: 7 * DAY,
    DatePrecision.MONTH: 31 * DAY,
    DatePrecision.YEAR: 366 * DAY,
}
EXACT_DATE_PRECISIONS = (DatePrecision.EXACT, DatePrecision.DAY)

# Choices travel as small integers: the database computes them (CASE ... END) and comparing
# ints over a million rows is much cheaper than strings. Code -1 (unknown) indexes the last entry.
CATEGORY_CODES = {category: code for code, category in enumerate(IncidentCategory.values)}
LOCATION_CODES = {precision: code for code, precision in enumerate(LocationPrecision.values)}
DATE_CODES = {precision: code for code, precision in enumerate(DatePrecision.values)}
ACTOR_CASE_CODES = {case: code for code, case in enumerate(ActorCase.values)}
# The perpetrator "id" of an incident whose actor is named but no registered party (0: unidentified).
NAMED_ACTOR = -1
_RADIUS_BY_CODE = np.array([LOCATION_UNCERTAINTY_KM[p] for p in LocationPrecision.values] + [math.inf])
_WINDOW_BY_CODE = np.array([PRECISION_WINDOW_SECONDS[p] for p in DatePrecision.values] + [DAY])
_EXACT_DATE_BY_CODE = np.array([p in EXACT_DATE_PRECISIONS for p in DatePrecision.values] + [False])

# Penalty per dimension, combined into a confidence.
INSIDE, INSIDE_UNCERTAIN, POSSIBLY_INSIDE, OUTSIDE = 0, 1, 2, 9


class Encoding(enum.Enum):
    """How the database turns an incident field into a float."""

    NUMBER = "number"  # the value as it is (NULL as NaN)
    EPOCH_SECONDS = "epoch seconds"  # a datetime as seconds since 1970-01-01 UTC
    CODE = "code"  # a choice as its integer code from IncidentColumn.codes


@dataclass(frozen=True)
class IncidentColumn:
    """One column the engine reads per incident: the model field, and how it travels as a float."""

    name: str  # the parameter of IncidentArrays.from_codes that receives it
    field: str  # the Incident model field
    encoding: Encoding = Encoding.NUMBER
    codes: Mapping[str, int] | None = None  # for Encoding.CODE


# Everything the engine reads about an incident, in the order of the columns of the matrix the
# database returns. The loader builds its query from this tuple and IncidentArrays.from_columns
# reads it back by name, so the two cannot disagree about which column is which.
INCIDENT_COLUMNS = (
    IncidentColumn("ids", "id"),
    IncidentColumn("lon", "longitude"),
    IncidentColumn("lat", "latitude"),
    IncidentColumn("starts", "occurred_at", Encoding.EPOCH_SECONDS),
    IncidentColumn("until", "occurred_until", Encoding.EPOCH_SECONDS),
    IncidentColumn("category", "category", Encoding.CODE, CATEGORY_CODES),
    IncidentColumn("perpetrator", "perpetrator_id"),
    IncidentColumn("location_precision", "location_precision", Encoding.CODE, LOCATION_CODES),
    IncidentColumn("date_precision", "date_precision", Encoding.CODE, DATE_CODES),
    IncidentColumn("actor_case", "actor_case", Encoding.CODE, ACTOR_CASE_CODES),
)


@dataclass
class AreaSpec:
    """An area ready for vectorised tests: its shape in km around its own projection origin."""

    projection: LocalProjection
    shape_km: shapely.Geometry  # in km
    bounds: tuple[
        float, float, float, float
    ]  # (min_lon, min_lat, max_lon, max_lat) in degrees, buffer included

    def __post_init__(self) -> None:
        shapely.prepare(self.shape_km)


@dataclass
class ClauseSpec:
    """A clause as the rules test it: what it prohibits, when, for whom and where."""

    id: int
    categories: frozenset[str]
    starts: float  # epoch seconds; -inf when unbounded
    ends: float  # epoch seconds; +inf when unbounded
    party_ids: frozenset[int]  # obligated parties; empty means the clause binds every party
    areas: list[AreaSpec] = field(default_factory=list)  # empty means no geographic limit


@dataclass
class IncidentArrays:
    """Columns of the incidents to test, as numpy arrays of equal length."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    starts: np.ndarray  # epoch seconds
    ends: np.ndarray  # epoch seconds (inclusive end of the window)
    category: np.ndarray  # int code from CATEGORY_CODES, -1 when unknown
    perpetrator: np.ndarray  # int, 0 when unidentified, NAMED_ACTOR when named but not registered
    radius_km: np.ndarray  # location uncertainty
    exact_date: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def by_longitude(self) -> tuple[np.ndarray, np.ndarray]:
        """(order, sorted longitudes): finds the incidents in a longitude band by binary search."""
        order = np.argsort(self.lon, kind="stable")
        return order, self.lon[order]

    def take(self, index: np.ndarray) -> "IncidentArrays":
        """The incidents at `index` (integer positions or a boolean mask)."""
        return IncidentArrays(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})

    @classmethod
    def from_columns(cls, matrix: np.ndarray) -> Self:
        """Build from a float matrix whose columns are INCIDENT_COLUMNS, in that order."""
        return cls.from_codes(**{column.name: matrix[:, i] for i, column in enumerate(INCIDENT_COLUMNS)})

    @classmethod
    def from_codes(
        cls,
        *,
        ids: npt.ArrayLike,
        lon: npt.ArrayLike,
        lat: npt.ArrayLike,
        starts: npt.ArrayLike,
        until: npt.ArrayLike,
        category: npt.ArrayLike,
        perpetrator: npt.ArrayLike,
        location_precision: npt.ArrayLike,
        date_precision: npt.ArrayLike,
        actor_case: npt.ArrayLike | None = None,
    ) -> Self:
        """Build from numeric columns, as the database returns them (NaN for NULL), by name.

        The parameters are the names of INCIDENT_COLUMNS, which says how each is encoded:
        category, location_precision and date_precision are codes from CATEGORY_CODES,
        LOCATION_CODES and DATE_CODES; starts and until are epoch seconds; actor_case is a code
        from ACTOR_CASE_CODES (None: every incident without a perpetrator is unidentified).
        """

        def codes(values: npt.ArrayLike) -> np.ndarray:
            values = np.asarray(values, dtype=float)
            return np.where(np.isnan(values), -1, values).astype(np.int16)

        date_code = codes(date_precision)
        starts = np.asarray(starts, dtype=float)
        until = np.asarray(until, dtype=float)
        window = _WINDOW_BY_CODE[date_code]
        perpetrator = np.asarray(perpetrator, dtype=float)
        return cls(
            ids=np.asarray(ids, dtype=float).astype(np.int64),
            lon=np.asarray(lon, dtype=float),
            lat=np.asarray(lat, dtype=float),
            starts=starts,
            ends=np.where(np.isnan(until), starts + np.maximum(window - 1, 0), until),
            category=codes(category),
            perpetrator=np.where(
                _named(actor_case, len(perpetrator)),
                NAMED_ACTOR,
                np.where(np.isnan(perpetrator), 0, perpetrator),
            ).astype(np.int64),
            radius_km=_RADIUS_BY_CODE[codes(location_precision)],
            exact_date=_EXACT_DATE_BY_CODE[date_code],
        )


def _named(actor_case: npt.ArrayLike | None, length: int) -> np.ndarray:
    """Which incidents name an actor that is no registered party."""
    if actor_case is None:
        return np.zeros(length, dtype=bool)
    return np.asarray(actor_case, dtype=float) == ACTOR_CASE_CODES[ActorCase.NAMED]


@dataclass
class Matches:
    """Breaches of one clause: incident ids with their confidence and reasons."""

    clause_id: int
    incident_ids: np.ndarray
    confidence: list[str]  # a Confidence per incident
    reasons: list[list[str]]

    def within(self, start: int | None, stop: int | None) -> "Matches":
        """The breaches by incidents with start <= id < stop (None: unbounded on that side)."""
        keep = np.ones(len(self.incident_ids), dtype=bool)
        if start is not None:
            keep &= self.incident_ids >= start
        if stop is not None:
            keep &= self.incident_ids < stop
        index = np.flatnonzero(keep).tolist()
        return Matches(
            self.clause_id,
            self.incident_ids[index],
            [self.confidence[i] for i in index],
            [self.reasons[i] for i in index],
        )


def location_levels(incidents: IncidentArrays, areas: list[AreaSpec]) -> np.ndarray:
    """Per incident: INSIDE, INSIDE_UNCERTAIN, POSSIBLY_INSIDE or OUTSIDE the best of `areas`."""
    n = len(incidents)
    if not areas:
        return np.zeros(n, dtype=np.int8)
    best = np.full(n, OUTSIDE, dtype=np.int8)
    for area in areas:
        min_lon, min_lat, max_lon, max_lat = widen(area.bounds, MAX_POSSIBLE_RADIUS_KM)
        near = np.flatnonzero(
            (incidents.lon >= min_lon)
            & (incidents.lon <= max_lon)
            & (incidents.lat >= min_lat)
            & (incidents.lat <= max_lat)
        )
        if not len(near):
            continue
        x, y = area.projection.to_km(incidents.lon[near], incidents.lat[near])
        radius = incidents.radius_km[near]
        inside = shapely.contains_xy(area.shape_km, x, y)
        level = np.where(inside & (radius == 0), INSIDE, OUTSIDE).astype(np.int8)
        fuzzy = np.flatnonzero(radius > 0)
        if len(fuzzy):
            points = shapely.points(x[fuzzy], y[fuzzy])
            boundary_distance = shapely.distance(area.shape_km.boundary, points)
            fuzzy_inside = inside[fuzzy]
            wholly = fuzzy_inside & (boundary_distance >= radius[fuzzy])
            partly = ~wholly & (fuzzy_inside | (boundary_distance <= radius[fuzzy]))
            partly &= radius[fuzzy] <= MAX_POSSIBLE_RADIUS_KM
            level[fuzzy] = np.where(wholly, INSIDE_UNCERTAIN, np.where(partly, POSSIBLY_INSIDE, OUTSIDE))
        best[near] = np.minimum(best[near], level)
    return best


def time_levels(incidents: IncidentArrays, starts: float, ends: float) -> np.ndarray:
    """Per incident: INSIDE, INSIDE_UNCERTAIN, POSSIBLY_INSIDE or OUTSIDE the window [starts, ends)."""
    wholly = (incidents.starts >= starts) & (incidents.ends < ends)
    overlaps = (incidents.ends >= starts) & (incidents.starts < ends)
    return np.where(
        wholly,
        np.where(incidents.exact_date, INSIDE, INSIDE_UNCERTAIN),
        np.where(overlaps, POSSIBLY_INSIDE, OUTSIDE),
    ).astype(np.int8)


_REASONS = {
    "place": {
        INSIDE: None,
        INSIDE_UNCERTAIN: gettext_noop("location is approximate but wholly inside the area"),
        POSSIBLY_INSIDE: gettext_noop("location is approximate and only possibly inside the area"),
    },
    "time": {
        INSIDE: None,
        INSIDE_UNCERTAIN: gettext_noop("date is approximate but wholly inside the clause's period"),
        POSSIBLY_INSIDE: gettext_noop("date is approximate and only possibly inside the clause's period"),
    },
}


def confidence_for(place_level: int, time_level: int, perpetrator_known: bool) -> tuple[str, list[str]]:
    """(confidence, reasons) from the three dimensions of certainty."""
    penalty = min(place_level, 2) + min(time_level, 2) + (0 if perpetrator_known else 1)
    reasons = [r for r in (_REASONS["place"][place_level], _REASONS["time"][time_level]) if r]
    if not perpetrator_known:
        reasons.append(gettext_noop("perpetrator unknown"))
    if not reasons:
        reasons.append(gettext_noop("place, date and perpetrator are exact"))
    if penalty == 0:
        return Confidence.HIGH, reasons
    return (Confidence.MEDIUM if penalty == 1 else Confidence.LOW), reasons


def widen(bounds: tuple[float, float, float, float], km: float) -> tuple[float, float, float, float]:
    """A (min_lon, min_lat, max_lon, max_lat) box widened by `km` on the ground on every side."""
    min_lon, min_lat, max_lon, max_lat = bounds
    widest = min(max(abs(min_lat), abs(max_lat)), 89.0)  # a degree of longitude is shortest there
    d_lon = km / (KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(widest)))
    d_lat = km / KM_PER_DEGREE_LAT
    return min_lon - d_lon, min_lat - d_lat, max_lon + d_lon, max_lat + d_lat


def _near_areas(incidents: IncidentArrays, areas: list[AreaSpec]) -> np.ndarray:
    """Indexes of incidents within the widened bounding box of any of `areas` (all if none)."""
    if not areas:
        return np.arange(len(incidents))
    order, sorted_lon = incidents.by_longitude
    found = []
    for area in areas:
        min_lon, min_lat, max_lon, max_lat = widen(area.bounds, MAX_POSSIBLE_RADIUS_KM)
        band = order[
            np.searchsorted(sorted_lon, min_lon, "left") : np.searchsorted(sorted_lon, max_lon, "right")
        ]
        lat = incidents.lat[band]
        found.append(band[(lat >= min_lat) & (lat <= max_lat)])
    if len(found) == 1:
        return found[0]
    near = np.zeros(len(incidents), dtype=bool)
    for indexes in found:
        near[indexes] = True
    return np.flatnonzero(near)


def match_clause(incidents: IncidentArrays, clause: ClauseSpec) -> Matches:
    """Which of `incidents` breach `clause`, with confidence and reasons.

    The cheapest, most selective tests run first on the whole arrays (bounding box, then
    category and party by table lookup); the exact time and geometry tests only on the rest.
    """
    candidates = _near_areas(incidents, clause.areas)
    allowed = np.zeros(len(CATEGORY_CODES) + 1, dtype=bool)  # the extra last slot is code -1
    allowed[[CATEGORY_CODES[c] for c in clause.categories if c in CATEGORY_CODES]] = True
    candidates = candidates[allowed[incidents.category[candidates]]]
    candidates = candidates[incidents.perpetrator[candidates] != NAMED_ACTOR]
    if clause.party_ids:
        perpetrator = incidents.perpetrator[candidates]
        candidates = candidates[(perpetrator == 0) | np.isin(perpetrator, list(clause.party_ids))]
    subset = incidents.take(candidates)
    time = time_levels(subset, clause.starts, clause.ends)
    keep = time != OUTSIDE
    subset, candidates, time = subset.take(np.flatnonzero(keep)), candidates[keep], time[keep]
    place = location_levels(subset, clause.areas)
    keep = place != OUTSIDE
    candidates, time, place = candidates[keep], time[keep], place[keep]
    known = incidents.perpetrator[candidates] != 0
    cache, confidence, reasons = {}, [], []
    for key in zip(place.tolist(), time.tolist(), known.tolist()):
        if key not in cache:
            cache[key] = confidence_for(*key)
        confidence.append(cache[key][0])
        reasons.append(cache[key][1])
    return Matches(clause.id, incidents.ids[candidates], confidence, reasons)


def deadline_state(
    status: str, due_at: dt.datetime, now: dt.datetime, due_soon_days: float
) -> tuple[str, bool]:
    """What a deadline should be at `now`: (status, due_soon). Met, waived and missed stay as they are."""
    if status not in (DeadlineStatus.PENDING, DeadlineStatus.EXTENDED):
        return status, False
    if due_at <= now:
        return DeadlineStatus.MISSED, False
    return status, (due_at - now).total_seconds() <= due_soon_days * DAY
