"""Pure corroboration rules: which reports may be the same happening, and how sure that is.

No ORM, no Celery: arrays in (rules.IncidentArrays, the engine's own columns, plus a report
source per incident), candidate pairs out. Two reports are a candidate pair when all hold:

1. their categories are compatible: the same, or of one family (CATEGORY_FAMILIES: an air
   strike reported by one dataset is often "armed clash" or "attack on civilians" in another);
2. their time windows overlap, as the engine reads them (precision-aware: a day is the whole
   day, a week seven days, an explicit end its window), or lie at most TIME_SLACK apart;
3. their distance is within the combined location uncertainty: the engine's radii
   (LOCATION_UNCERTAINTY_KM) of both plus BASE_KM, as two reports of one strike rarely give the
   same coordinates;
4. their perpetrators are compatible: the same registered party, or at least one unknown or
   named but not registered (two different registered parties never are);
5. they come from different report sources: another dataset, or another monitor.

Reports too vague to corroborate anything are never candidates: a place known only to the
governorate or the country (radius above MAX_RADIUS_KM) or a time known only to the month or
the year (window above MAX_WINDOW).

Each pair gets a score in [0, 1], the weighted sum of four parts (WEIGHTS): time (1 when the
windows overlap, 0.5 when only within the slack), place (1 - distance / combined limit),
category (1 same, 0.6 same family) and perpetrator (1 same party, 0.5 unknown or named).
Pairs scoring AUTO_THRESHOLD or more are grouped by the job, unless they are ambiguous: a pair
is grouped only when it is, for each of its two reports, the best match among the reports of
the other one's source, by at least AMBIGUITY_MARGIN (two villages shelled the same day a few
km apart, each in one dataset, must not be paired by a coin toss). The others wait for an
analyst.

Candidates are found in near-linear time: each report covers the (family, grid cell, day)
keys its uncertainty disc and window touch; only reports sharing a key are compared.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from agreements.geometry import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON_AT_EQUATOR
from core.choices import IncidentCategory
from incidents.choices import LOCATION_UNCERTAINTY_KM, LocationPrecision
from tracker.rules import CATEGORY_CODES, DAY, IncidentArrays

T = TypeVar("T")

BASE_KM = 10.0
TIME_SLACK = DAY
MAX_RADIUS_KM = LOCATION_UNCERTAINTY_KM[LocationPrecision.DISTRICT]
MAX_WINDOW = 8 * DAY  # a week's window (7 days) with its last second; a month's is 31 days
AUTO_THRESHOLD = 0.8
AMBIGUITY_MARGIN = 0.05
WEIGHTS = {"time": 0.3, "place": 0.3, "category": 0.2, "perpetrator": 0.2}
SAME_FAMILY_SCORE = 0.6
UNKNOWN_PERPETRATOR_SCORE = 0.5
SLACK_TIME_SCORE = 0.5
CELL_KM = 20.0

C = IncidentCategory
CATEGORY_FAMILIES = (
    (C.AIR_STRIKE, C.SHELLING, C.ARMED_CLASH, C.EXPLOSIVE_DEVICE, C.CHEMICAL_WEAPON, C.ATTACK_ON_CIVILIANS),
    (C.TERRITORY_CHANGE, C.ARMED_CLASH),
    (C.HEAVY_WEAPONS_PRESENCE, C.ARMED_GROUP_PRESENCE),
    (C.PATROL, C.PATROL_OBSTRUCTED),
)


def _family_table() -> np.ndarray:
    """Family code per category code (last slot: unknown category, never grouped)."""
    family = {}
    for number, members in enumerate(CATEGORY_FAMILIES):
        for category in members:
            family.setdefault(category, number)  # armed clash: the violence family first
    table = np.full(len(CATEGORY_CODES) + 1, -1, dtype=np.int64)
    extra = len(CATEGORY_FAMILIES)
    for category, code in CATEGORY_CODES.items():
        if category in family:
            table[code] = family[category]
        else:
            table[code] = extra  # a category of its own: only the same category matches
            extra += 1
    return table


FAMILY_BY_CODE = _family_table()
# Territory change and armed clash are also compatible: a second table maps them together.
_CLASH = CATEGORY_CODES[C.ARMED_CLASH]
_TERRITORY = CATEGORY_CODES[C.TERRITORY_CHANGE]


def _compatible_categories() -> dict[int, list[str]]:
    """Per category code, the categories a report of it may pair with (find_pairs' families)."""
    by_code = {code: category for category, code in CATEGORY_CODES.items()}
    compatible = {}
    for code in by_code:
        same = [other for c, other in by_code.items() if FAMILY_BY_CODE[c] == FAMILY_BY_CODE[code]]
        if code == _CLASH:
            same += [by_code[_TERRITORY]]
        elif FAMILY_BY_CODE[code] == FAMILY_BY_CODE[_TERRITORY]:
            same += [by_code[_CLASH]]
        compatible[code] = sorted(set(same))
    return compatible


COMPATIBLE_CATEGORIES = _compatible_categories()


@dataclass
class Pairs:
    """Candidate pairs: positions into the arrays given (first < second), with their evidence."""

    first: np.ndarray
    second: np.ndarray
    score: np.ndarray
    distance_km: np.ndarray
    limit_km: np.ndarray  # the combined uncertainty the distance is compared with
    gap_hours: np.ndarray  # 0 when the windows overlap
    same_category: np.ndarray  # bool
    same_perpetrator: np.ndarray  # bool (False: one at least unknown or named)
    ambiguous: np.ndarray  # bool: another report of the same source matches one of them as well

    def __len__(self) -> int:
        return len(self.first)

    def take(self, index: np.ndarray) -> "Pairs":
        return Pairs(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})


def eligible(incidents: IncidentArrays) -> np.ndarray:
    """Which reports are precise enough to corroborate another (see the module docstring)."""
    return (
        np.isfinite(incidents.lon)
        & np.isfinite(incidents.lat)
        & (incidents.radius_km <= MAX_RADIUS_KM)
        & (incidents.ends - incidents.starts <= MAX_WINDOW)
        & (incidents.category >= 0)
    )


def compatible_perpetrators(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Same party, or one at least unidentified (0) or named but not registered (NAMED_ACTOR)."""
    return (a == b) | (a <= 0) | (b <= 0)


def pair_distance_km(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    """Equirectangular distance at the pair's mean latitude (< 1 % error below 100 km)."""
    mean_lat = np.radians((lat_a + lat_b) / 2)
    dx = (lon_a - lon_b) * KM_PER_DEGREE_LON_AT_EQUATOR * np.cos(mean_lat)
    dy = (lat_a - lat_b) * KM_PER_DEGREE_LAT
    return np.hypot(dx, dy)


@dataclass
class _Cover:
    """The grid cells and days each report touches: a box from (x0, y0, t0), nx × ny × nt wide."""

    x0: np.ndarray
    y0: np.ndarray
    t0: np.ndarray
    nx: np.ndarray
    ny: np.ndarray
    nt: np.ndarray


def _cover(incidents: IncidentArrays, index: np.ndarray) -> _Cover:
    lat = incidents.lat[index]
    # One scale for every report, at the latitude farthest from the equator: projected
    # distances are then never longer than true ones, so no close pair falls in distant cells.
    widest = min(float(np.max(np.abs(lat))), 89.0)
    x = incidents.lon[index] * KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(widest))
    y = lat * KM_PER_DEGREE_LAT
    reach = incidents.radius_km[index] + BASE_KM / 2
    x0 = np.floor((x - reach) / CELL_KM).astype(np.int64)
    y0 = np.floor((y - reach) / CELL_KM).astype(np.int64)
    t0 = np.floor((incidents.starts[index] - TIME_SLACK / 2) / DAY).astype(np.int64)
    return _Cover(
        x0=x0,
        y0=y0,
        t0=t0,
        nx=np.floor((x + reach) / CELL_KM).astype(np.int64) - x0 + 1,
        ny=np.floor((y + reach) / CELL_KM).astype(np.int64) - y0 + 1,
        nt=np.floor((incidents.ends[index] + TIME_SLACK / 2) / DAY).astype(np.int64) - t0 + 1,
    )


# A key packs (family, cell x, cell y, day) into 4 + 15 + 15 + 29 bits; fixed offsets keep every
# part positive and every call's keys comparable.
_X_OFFSET, _Y_OFFSET, _T_OFFSET = 1 << 14, 1 << 14, 1 << 20
_T_BITS, _Y_BITS, _X_BITS = 29, 15, 15


def _cover_keys(cover: _Cover, positions: np.ndarray, family: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key, position) for every (family, cell, day) each report at `positions` touches."""
    nx, ny, nt = cover.nx[positions], cover.ny[positions], cover.nt[positions]
    counts = nx * ny * nt
    entry = np.repeat(np.arange(len(positions)), counts)
    local = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    local, ot = np.divmod(local, nt[entry])
    ox, oy = np.divmod(local, ny[entry])
    owner = positions[entry]
    cx = cover.x0[owner] + ox + _X_OFFSET
    cy = cover.y0[owner] + oy + _Y_OFFSET
    ct = cover.t0[owner] + ot + _T_OFFSET
    key = ((family[entry] << _X_BITS | cx) << _Y_BITS | cy) << _T_BITS | ct
    return key, owner


def _sharing_pairs(
    key: np.ndarray, owner: np.ndarray, cover: _Cover, source: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first, second, family) of the reports of different sources that share a key, each pair
    once: in the one key of the lowest cell and day both touch (its "canonical" key)."""
    order = np.argsort(key)
    key, owner = key[order], owner[order]
    firsts, seconds, families = [], [], []
    active = np.arange(len(key) - 1)
    step = 1
    while len(active):
        ahead = active + step
        inside = ahead < len(key)
        active, ahead = active[inside], ahead[inside]
        same = key[active] == key[ahead]
        active, ahead = active[same], ahead[same]
        a, b = owner[active], owner[ahead]
        k = key[active]
        canonical = (
            ((k & ((1 << _T_BITS) - 1)) - _T_OFFSET == np.maximum(cover.t0[a], cover.t0[b]))
            & (((k >> _T_BITS) & ((1 << _Y_BITS) - 1)) - _Y_OFFSET == np.maximum(cover.y0[a], cover.y0[b]))
            & (
                ((k >> (_T_BITS + _Y_BITS)) & ((1 << _X_BITS) - 1)) - _X_OFFSET
                == np.maximum(cover.x0[a], cover.x0[b])
            )
        )
        keep = canonical & (source[a] != source[b])
        firsts.append(np.minimum(a, b)[keep])
        seconds.append(np.maximum(a, b)[keep])
        families.append(k[keep] >> (_T_BITS + _Y_BITS + _X_BITS))
        step += 1
    if not firsts:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(families)


def find_pairs(
    incidents: IncidentArrays,
    source: np.ndarray,
    owned_from: float = -math.inf,
    owned_until: float = math.inf,
) -> Pairs:
    """Candidate pairs among `incidents`, reports of different `source` codes.

    Only pairs whose earlier report starts in [owned_from, owned_until) are returned: chunks
    over consecutive time ranges, each given the reports of its range and of two borders
    around it (what a pair's reports may pair with: see ambiguous), then find every pair
    exactly once, with the same evidence.
    """
    index = np.flatnonzero(eligible(incidents))
    if len(index) < 2:
        return _empty()
    category = incidents.category[index]
    family = FAMILY_BY_CODE[category]
    cover = _cover(incidents, index)
    key, owner = _cover_keys(cover, np.arange(len(index)), family)
    # Armed clash also matches territory change: clashes get the territory family's keys too.
    clash = np.flatnonzero(category == _CLASH)
    territory = FAMILY_BY_CODE[_TERRITORY]
    if len(clash):
        extra_key, extra_owner = _cover_keys(cover, clash, np.full(len(clash), territory))
        key = np.concatenate([key, extra_key])
        owner = np.concatenate([owner, extra_owner])
    a, b, shared_family = _sharing_pairs(key, owner, cover, source[index])
    # Two clashes meet in both families: keep them from the violence family only.
    twice = (shared_family == territory) & (category[a] == _CLASH) & (category[b] == _CLASH)
    a, b = index[a[~twice]], index[b[~twice]]
    starts, ends = incidents.starts, incidents.ends
    keep = compatible_perpetrators(incidents.perpetrator[a], incidents.perpetrator[b])
    a, b = a[keep], b[keep]
    gap = np.maximum(np.maximum(starts[a], starts[b]) - np.minimum(ends[a], ends[b]), 0.0)
    distance = pair_distance_km(incidents.lon[a], incidents.lat[a], incidents.lon[b], incidents.lat[b])
    limit = incidents.radius_km[a] + incidents.radius_km[b] + BASE_KM
    keep = (gap <= TIME_SLACK) & (distance <= limit)
    a, b, gap, distance, limit = a[keep], b[keep], gap[keep], distance[keep], limit[keep]
    same_category = incidents.category[a] == incidents.category[b]
    perpetrator_a, perpetrator_b = incidents.perpetrator[a], incidents.perpetrator[b]
    same_perpetrator = (perpetrator_a == perpetrator_b) & (perpetrator_a > 0)
    score = (
        WEIGHTS["time"] * np.where(gap > 0, SLACK_TIME_SCORE, 1.0)
        + WEIGHTS["place"] * np.clip(1.0 - distance / limit, 0.0, 1.0)
        + WEIGHTS["category"] * np.where(same_category, 1.0, SAME_FAMILY_SCORE)
        + WEIGHTS["perpetrator"] * np.where(same_perpetrator, 1.0, UNKNOWN_PERPETRATOR_SCORE)
    )
    score = np.round(score, 3)
    pairs = Pairs(
        first=a,
        second=b,
        score=score,
        distance_km=np.round(distance, 2),
        limit_km=limit,
        # A second apart (adjacent days) is 0.1 h, not 0: only overlapping windows show 0.
        gap_hours=np.where(gap > 0, np.maximum(np.round(gap / 3600, 1), 0.1), 0.0),
        same_category=same_category,
        same_perpetrator=same_perpetrator,
        ambiguous=ambiguous(a, b, score, source),
    )
    earliest = np.minimum(starts[a], starts[b])
    return pairs.take(np.flatnonzero((earliest >= owned_from) & (earliest < owned_until)))


def ambiguous(first: np.ndarray, second: np.ndarray, score: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Per pair: not the clear best match of one of its reports among the other's source.

    For each (report, source of its partner), the pairs are ranked by score: only the best one,
    ahead of the next by AMBIGUITY_MARGIN, is clear.
    """
    count = len(first)
    if not count:
        return np.zeros(0, dtype=bool)
    # Each pair twice, once from each of its reports: a report's pairs meet in one group.
    own = np.concatenate([first, second])
    other = np.concatenate([second, first])
    scores = np.concatenate([score, score])
    _, group = np.unique(np.stack([own, source[other]]), axis=1, return_inverse=True)
    group = group.ravel()
    order = np.lexsort((-scores, group))
    ranked_group, ranked_score = group[order], scores[order]
    leader = np.ones(len(order), dtype=bool)
    leader[1:] = ranked_group[1:] != ranked_group[:-1]
    runner_up_close = np.zeros(len(order), dtype=bool)
    runner_up_close[:-1] = (ranked_group[1:] == ranked_group[:-1]) & (
        ranked_score[:-1] - ranked_score[1:] < AMBIGUITY_MARGIN
    )
    flags = np.empty(len(order), dtype=bool)
    flags[order] = ~leader | runner_up_close
    return flags[:count] | flags[count:]


def _empty() -> Pairs:
    empty = np.empty(0)
    return Pairs(*(empty.astype(np.int64),) * 2, *(empty,) * 4, *(empty.astype(bool),) * 3)


def components(count: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Connected component label (its smallest position) of each of `count` nodes, given edges.

    Label propagation with pointer jumping: a few vector passes even over a million edges.
    """
    labels = np.arange(count)
    if not len(first):
        return labels
    while True:
        low = np.minimum(labels[first], labels[second])
        before = labels.copy()
        np.minimum.at(labels, first, low)
        np.minimum.at(labels, second, low)
        while True:  # pointer jumping: every node straight to its root
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels, before):
            return labels


def constrained_groups(
    members: list[int],
    links: list[tuple[int, int, float, bool]],
    source: dict[int, object],
    apart: set[tuple[int, int]],
) -> list[list[int]]:
    """Groups of `members` from `links` (a, b, score, by_analyst), with the two constraints.

    Analysts' merges join first, whatever the sources; then the job's links by falling score,
    each refused if it would put two reports of one source, or a pair an analyst split
    (`apart`, (low id, high id)), into one group.
    """
    parent = {m: m for m in members}
    groups = {m: [m] for m in members}

    def root(m):
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    ordered = sorted(links, key=lambda link: (not link[3], -link[2], link[0], link[1]))
    for a, b, _score, by_analyst in ordered:
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        if not by_analyst:
            group_a, group_b = groups[ra], groups[rb]
            if {source[m] for m in group_a} & {source[m] for m in group_b}:
                continue
            if any((min(x, y), max(x, y)) in apart for x in group_a for y in group_b):
                continue
        if len(groups[ra]) < len(groups[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        groups[ra].extend(groups.pop(rb))
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def casualty_summary(figures: list[int]) -> tuple[int, int, int]:
    """(best estimate, lowest, highest) of the figures the reports give for one event.

    Reports of one happening are not added up. The best estimate is the median of the reports'
    figures (the lower of the two middle ones when their number is even: always a figure some
    report gives), with the range from the lowest to the highest.
    """
    if not figures:
        return 0, 0, 0
    return lower_middle(figures), min(figures), max(figures)


def lower_middle(items: Sequence[T], key: Callable[[T], Any] | None = None) -> T:
    """The median of `items` by `key`, the lower of the two middle ones when their number is
    even: always one of the items (events' casualties, here and in reports)."""
    ordered = sorted(items, key=key)
    return ordered[(len(ordered) - 1) // 2]
