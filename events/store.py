"""The database-specific writes of the grouping: inserting many rows, and giving many incidents
their event at once.

PostgreSQL inserts with COPY and updates the incidents in one statement from two arrays
(unnest); SQLite, with one writer and small data, uses the ORM. Every write runs under the
grouping lock (events.services.lock) after reading what exists, so no insert can collide with
another worker's. Reads go through tracker.store (binary COPY on PostgreSQL).
"""

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from incidents.models import Incident
from tracker.store import store_for

BATCH = 5_000
# Boxes: (categories, earliest, day-wide from, latest, min lat, max lat, min lon, max lon), a
# list each, times as epoch seconds. Reports starting from `earliest` to `day-wide from` are read only
# when their window is wider than a day: a day-wide one starting then ends too early to pair.
Boxes = tuple[list, list, list, list, list, list, list, list]
WIDE_WINDOW_SQL = "(i.occurred_until IS NOT NULL OR i.date_precision IN ('days', 'week'))"


def _moment(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _array(ids: Iterable[int]) -> str:
    """A bigint array literal: one text parameter, not one adapted value per id."""
    return "{" + ",".join(map(str, ids)) + "}"


# The grid in_boxes hashes boxes and points into: coarse enough that a box covers a few cells.
GRID_SECONDS = 2 * 86_400
GRID_DEGREES = 1.0


@dataclass
class Runs:
    """Boxes (store.Boxes) as arrays, each with its run: the boxes of one category whose time
    ranges overlap, read together. `bounds` has one entry per run: (run, category, earliest,
    first day-wide start, last day-wide start, latest, min lat, max lat, min lon, max lon)."""

    box_run: np.ndarray
    earliest: np.ndarray
    day_wide_from: np.ndarray
    latest: np.ndarray
    place: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    bounds: list[list]


def _runs(boxes: Boxes) -> Runs:
    categories = np.asarray(boxes[0])
    earliest, day_wide_from, latest, lat0, lat1, lon0, lon1 = (
        np.asarray(part, dtype=float) for part in boxes[1:]
    )
    order = np.lexsort((earliest, categories))
    box_run = np.empty(len(order), dtype=np.int64)
    bounds: list[list] = [[] for _ in range(10)]
    run, reach, previous = -1, -math.inf, None
    for position in order.tolist():
        category = categories[position]
        if category != previous or earliest[position] > reach:
            run += 1
            previous, reach = category, latest[position]
            for part, value in zip(
                bounds,
                (
                    run,
                    category,
                    earliest[position],
                    day_wide_from[position],
                    day_wide_from[position],
                    latest[position],
                    lat0[position],
                    lat1[position],
                    lon0[position],
                    lon1[position],
                ),
                strict=True,
            ):
                part.append(value)
        else:
            reach = max(reach, latest[position])
            bounds[3][-1] = min(bounds[3][-1], day_wide_from[position])
            bounds[4][-1] = max(bounds[4][-1], day_wide_from[position])
            bounds[5][-1] = reach
            bounds[6][-1] = min(bounds[6][-1], lat0[position])
            bounds[7][-1] = max(bounds[7][-1], lat1[position])
            bounds[8][-1] = min(bounds[8][-1], lon0[position])
            bounds[9][-1] = max(bounds[9][-1], lon1[position])
        box_run[position] = run
    return Runs(box_run, earliest, day_wide_from, latest, (lat0, lat1, lon0, lon1), bounds)


def _cells(t: np.ndarray, y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """(box, t cell, y cell, x cell) for every grid cell of every box, given each box's first
    and last cell per axis (2 x boxes arrays)."""
    nt, ny, nx = (axis[1] - axis[0] + 1 for axis in (t, y, x))
    counts = nt * ny * nx
    box = np.repeat(np.arange(len(counts)), counts)
    local = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    local, ox = np.divmod(local, nx[box])
    ot, oy = np.divmod(local, ny[box])
    return box, t[0][box] + ot, y[0][box] + oy, x[0][box] + ox


# The key of a (run, grid cell) in fixed bit fields, computed alike here for boxes and in SQL for
# reports: a value overflowing its field can only let through a report no box holds (in_boxes
# drops it), never keep one out.
_KEY_T, _KEY_Y, _KEY_X = 1 << 18, 1 << 8, 1 << 9
GRID_KEY_SQL = (
    f"((b.k::int8 * {_KEY_T} + floor(EXTRACT(EPOCH FROM i.occurred_at)::float8 / {GRID_SECONDS})::int8 "
    f"+ {_KEY_T // 2}) * {_KEY_Y} + floor(i.latitude / {GRID_DEGREES})::int8 + {_KEY_Y // 2}) * {_KEY_X} "
    f"+ floor(i.longitude / {GRID_DEGREES})::int8 + {_KEY_X // 2}"
)


def grid_keys(
    box_run: np.ndarray,
    t_from: np.ndarray,
    t_to: np.ndarray,
    lat0: np.ndarray,
    lat1: np.ndarray,
    lon0: np.ndarray,
    lon1: np.ndarray,
) -> np.ndarray:
    """The GRID_KEY_SQL keys of every cell the boxes touch: a report in a box has one of them.

    The time cells take a second more either side, so that rounding in the division (floats
    here, the database's there) never puts a report on a box's edge in a cell not listed.
    """
    bounds = (
        np.floor((np.stack([t_from - 1, t_to + 1])) / GRID_SECONDS),
        np.floor(np.stack([lat0, lat1]) / GRID_DEGREES),
        np.floor(np.stack([lon0, lon1]) / GRID_DEGREES),
    )
    box, tc, yc, xc = _cells(*(b.astype(np.int64) for b in bounds))
    keys = (
        ((box_run[box] * _KEY_T + tc + _KEY_T // 2) * _KEY_Y + yc + _KEY_Y // 2) * _KEY_X + xc + _KEY_X // 2
    )
    return np.unique(keys)


def in_boxes(
    point_run: np.ndarray,
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    box_run: np.ndarray,
    t_from: np.ndarray,
    t_to: np.ndarray,
    lat0: np.ndarray,
    lat1: np.ndarray,
    lon0: np.ndarray,
    lon1: np.ndarray,
    closed_end: bool = True,
) -> np.ndarray:
    """Per point: does a box of its run hold it (t_from <= t <= t_to, or t < t_to when not
    `closed_end`; lat0 <= lat <= lat1; lon0 <= lon <= lon1, all inclusive as SQL's BETWEEN)?

    Each box is listed in every cell of a coarse (run, time, latitude, longitude) grid it
    touches, each point in its own cell: only a point and the boxes of its cell are compared.
    """
    inside = np.zeros(len(t), dtype=bool)
    if not len(t) or not len(box_run):
        return inside
    t_cell = (np.floor(t_from / GRID_SECONDS), np.floor(t_to / GRID_SECONDS), np.floor(t / GRID_SECONDS))
    y_cell = (np.floor(lat0 / GRID_DEGREES), np.floor(lat1 / GRID_DEGREES), np.floor(lat / GRID_DEGREES))
    x_cell = (np.floor(lon0 / GRID_DEGREES), np.floor(lon1 / GRID_DEGREES), np.floor(lon / GRID_DEGREES))
    lows = [min(c[0].min(), c[2].min()) for c in (t_cell, y_cell, x_cell)]
    highs = [max(c[1].max(), c[2].max()) for c in (t_cell, y_cell, x_cell)]
    shape = [int(high - low) + 1 for low, high in zip(lows, highs, strict=True)]

    def key(run, tc, yc, xc):
        return ((run * shape[0] + tc - lows[0]) * shape[1] + yc - lows[1]) * shape[2] + xc - lows[2]

    box, tc, yc, xc = _cells(*(np.stack(c[:2]).astype(np.int64) for c in (t_cell, y_cell, x_cell)))
    box_key = key(box_run[box], tc, yc, xc)
    order = np.argsort(box_key, kind="stable")
    box_key, box = box_key[order], box[order]
    point_key = key(
        point_run, t_cell[2].astype(np.int64), y_cell[2].astype(np.int64), x_cell[2].astype(np.int64)
    )
    start = np.searchsorted(box_key, point_key, side="left")
    matches = np.searchsorted(box_key, point_key, side="right") - start
    point = np.repeat(np.arange(len(t)), matches)
    candidate = box[
        np.arange(matches.sum())
        - np.repeat(np.cumsum(matches) - matches, matches)
        + np.repeat(start, matches)
    ]
    pt = t[point]
    hit = (
        (pt >= t_from[candidate])
        & ((pt <= t_to[candidate]) if closed_end else (pt < t_to[candidate]))
        & (lat[point] >= lat0[candidate])
        & (lat[point] <= lat1[candidate])
        & (lon[point] >= lon0[candidate])
        & (lon[point] <= lon1[candidate])
    )
    inside[point[hit]] = True
    return inside


class EventsStore(Protocol):
    id_batch: int  # how many ids one id_lookup may take
    side_by_side: bool  # whether the steps of a full regrouping can write at the same time

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert `rows` (values of `fields`, JSON fields as Python values) into `model`'s table."""

    def set_events(self, rows: Sequence[tuple[int, int | None]]) -> int:
        """Give each incident id its event id (None: none); return how many rows changed."""

    def within(
        self, queryset: QuerySet[Incident], boxes: Boxes, exclude: np.ndarray | None = None
    ) -> QuerySet[Incident]:
        """The incidents of `queryset` of a box's category, in its time range and its place box
        (but those `exclude`)."""

    def with_ids(self, queryset: QuerySet[Incident], ids: Sequence[int]) -> QuerySet[Incident]:
        """`queryset` limited to the incidents `ids`."""

    def id_lookup(self, ids: Sequence[int]) -> object:
        """The right-hand side of an `__in` lookup on `ids`."""

    def pairs_of(self, ids: Sequence[int]) -> QuerySet:
        """The candidate pairs one of whose reports is in `ids`, in no particular order."""

    def share_lock(self) -> int:
        """Take the grouping lock shared with the other chunks of a full regrouping, until the
        transaction ends; return the number of the latest full regrouping (models.GroupingLock)."""

    def analyze(self) -> None:
        """Bring the planner's statistics (and, outside a transaction, the visibility map) up to
        date after a full regrouping rewrote many rows."""


class SQLiteEventsStore:
    id_batch = BATCH  # under SQLite's limit of parameters per statement
    side_by_side = False  # one writer at a time: a second part would wait for the first

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=BATCH
        )

    def set_events(self, rows: Sequence[tuple[int, int | None]]) -> int:
        by_event = defaultdict(list)
        for incident_id, event_id in rows:
            by_event[event_id].append(incident_id)
        changed = 0
        for event_id, ids in by_event.items():
            for start in range(0, len(ids), BATCH):
                rows = Incident.objects.filter(id__in=ids[start : start + BATCH])
                if event_id is None:
                    rows = rows.filter(event__isnull=False)
                else:
                    rows = rows.exclude(event=event_id)
                changed += rows.update(event=event_id)
        return changed

    def with_ids(self, queryset: QuerySet[Incident], ids: Sequence[int]) -> QuerySet[Incident]:
        return queryset.filter(id__in=list(ids))

    def id_lookup(self, ids: Sequence[int]) -> object:
        return list(ids)

    def pairs_of(self, ids: Sequence[int]) -> QuerySet:
        from .models import CandidatePair

        return CandidatePair.objects.filter(Q(first_id__in=list(ids)) | Q(second_id__in=list(ids))).order_by()

    def share_lock(self) -> int:
        """A read: SQLite has one writer at a time, so the chunks never write side by side."""
        from .models import GroupingLock

        return GroupingLock.objects.values_list("full_run", flat=True).get(pk=1)

    def analyze(self) -> None:
        """Nothing to do: SQLite plans these lookups by their indexes alone."""

    def within(
        self, queryset: QuerySet[Incident], boxes: Boxes, exclude: np.ndarray | None = None
    ) -> QuerySet[Incident]:
        """One box around them all (a superset: small data, and no array parameters here)."""
        categories, earliest, _day_wide_from, latest, min_lat, max_lat, min_lon, max_lon = boxes
        if not categories:
            return queryset.none()
        if exclude is not None:
            queryset = queryset.exclude(id__in=exclude.tolist())
        return queryset.filter(
            category__in=set(categories),
            occurred_at__range=(_moment(min(earliest)), _moment(max(latest))),
            latitude__range=(min(min_lat), max(max_lat)),
            longitude__range=(min(min_lon), max(max_lon)),
        )


class PostgresEventsStore:
    id_batch = 100_000  # one array parameter whatever its length
    side_by_side = True

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
        """COPY: no SQL text and no parameter per value, which is most of an INSERT's cost here."""
        if not rows:
            return
        meta = model._meta
        columns = [meta.get_field(name).column for name in fields]
        as_json = [i for i, name in enumerate(fields) if isinstance(meta.get_field(name), models.JSONField)]
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    if as_json:  # else the row as it is: no list made per row
                        row = list(row)
                        for i in as_json:
                            row[i] = json.dumps(row[i])
                    copy.write_row(row)

    def set_events(self, rows: Sequence[tuple[int, int | None]]) -> int:
        table = Incident._meta.db_table
        changed = 0
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), 100_000):
                part = rows[start : start + 100_000]
                cursor.execute(
                    f"UPDATE {table} AS i SET event = u.event FROM unnest(%s::bigint[], %s::bigint[]) "
                    "AS u(id, event) WHERE i.id = u.id AND i.event IS DISTINCT FROM u.event",
                    # Array literals as text: adapting lists value by value costs more than the update.
                    [
                        "{" + ",".join(str(row[0]) for row in part) + "}",
                        "{" + ",".join("NULL" if row[1] is None else str(row[1]) for row in part) + "}",
                    ],
                )
                changed += cursor.rowcount
        return changed

    def within(
        self, queryset: QuerySet[Incident], boxes: Boxes, exclude: np.ndarray | None = None
    ) -> QuerySet[Incident]:
        """The boxes' reports from a few index range scans, the boxes themselves matched in numpy.

        The boxes of one category whose time ranges overlap form a run: one range scan of
        incident_category_time over the run's time range (the reports of every width) and one
        of incident_wide_window_time (events migration 0002) over its earlier days (the wide
        ones), both within the run's place box. The index entries read are then the runs'
        time ranges once, not each box's again: a thousand reports in a few weeks read each
        day of them once, not forty times. Each entry read is also one heap visit where the
        visibility map is stale (right after a regrouping rewrote half the table), so reading
        fewer is what keeps this fast before autovacuum has passed.
        """
        if not boxes[0]:
            return queryset.none()
        runs = _runs(boxes)
        table = Incident._meta.db_table
        place = "i.latitude BETWEEN b.lat0 AND b.lat1 AND i.longitude BETWEEN b.lon0 AND b.lon1"
        reports = (
            "SELECT n.* FROM (SELECT k, category, to_timestamp(t0) AS t0, to_timestamp(tn) AS tn, "
            "to_timestamp(tw) AS tw, to_timestamp(t1) AS t1, lat0, lat1, lon0, lon1 FROM unnest(%s::int[], "
            "%s::text[], %s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[], "
            "%s::float8[], %s::float8[]) AS u(k, category, t0, tn, tw, t1, lat0, lat1, lon0, lon1)) AS b "
            "CROSS JOIN LATERAL ("
            f"SELECT 0 AS wide, b.k, i.id, EXTRACT(EPOCH FROM i.occurred_at)::float8 AS t, i.latitude, "
            f"i.longitude FROM {table} AS i WHERE i.category = b.category "
            f"AND i.occurred_at BETWEEN b.tn AND b.t1 AND {place} AND {GRID_KEY_SQL} = ANY(%s::int8[]) "
            f"UNION ALL SELECT 1, b.k, i.id, EXTRACT(EPOCH FROM i.occurred_at)::float8, i.latitude, "
            f"i.longitude FROM {table} AS i WHERE i.category = b.category "
            f"AND i.occurred_at >= b.t0 AND i.occurred_at < b.tw AND {WIDE_WINDOW_SQL} AND {place} "
            # OFFSET 0: each run its own index range scans, never one join over the whole table.
            "OFFSET 0) AS n"
        )
        # Only the reports in a cell one of the run's boxes touches come back (a hashed lookup).
        cells = grid_keys(runs.box_run, runs.day_wide_from, runs.latest, *runs.place)
        literals = ["{" + ",".join(map(str, part)) + "}" for part in (*runs.bounds, cells.tolist())]
        found = store_for(self.connection).read_floats(
            reports, literals, ["wide", "k", "id", "t", "latitude", "longitude"]
        )
        wide, run, ids = found[:, 0] == 1, found[:, 1].astype(np.int64), found[:, 2].astype(np.int64)
        points = found[:, 3], found[:, 4], found[:, 5]
        # Every report between a box's day-wide start and its end; a wide one from its earliest.
        keep = np.zeros(len(found), dtype=bool)
        for is_wide, start, closed_end in ((False, runs.day_wide_from, True), (True, runs.earliest, False)):
            rows = np.flatnonzero(wide == is_wide)
            keep[rows] = in_boxes(
                run[rows],
                *(part[rows] for part in points),
                runs.box_run,
                start,
                runs.latest if closed_end else runs.day_wide_from,
                *runs.place,
                closed_end=closed_end,
            )
        ids = np.unique(ids[keep])
        if exclude is not None:
            ids = np.setdiff1d(ids, exclude)
        return self.with_ids(queryset, ids.tolist())

    def with_ids(self, queryset: QuerySet[Incident], ids: Sequence[int]) -> QuerySet[Incident]:
        """`queryset` limited to `ids`, given as one array parameter (no SQL text per id)."""
        return queryset.filter(id__in=self.id_lookup(ids))

    def id_lookup(self, ids: Sequence[int]) -> object:
        return RawSQL("SELECT unnest(%s::bigint[])", [_array(ids)])

    def pairs_of(self, ids: Sequence[int]) -> QuerySet:
        """One bitmap OR of the two columns' indexes, the ids as one array literal."""
        from .models import CandidatePair

        array, table = _array(ids), CandidatePair._meta.db_table
        either = RawSQL(
            f'("{table}"."first_id" = ANY(%s::bigint[]) OR "{table}"."second_id" = ANY(%s::bigint[]))',
            [array, array],
            output_field=BooleanField(),
        )
        return CandidatePair.objects.filter(either).order_by()

    def share_lock(self) -> int:
        """FOR SHARE: the chunks of a regrouping hold it together; an incremental run's or an
        analyst's FOR UPDATE waits for all of them, and they for it."""
        from .models import GroupingLock

        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT full_run FROM {GroupingLock._meta.db_table} WHERE id = 1 FOR SHARE")
            return cursor.fetchone()[0]

    def analyze(self) -> None:
        """VACUUM (ANALYZE) of the incidents, ANALYZE of the pairs and events: what autovacuum
        would do a minute later, done now (about 2 s at a million reports).

        A full regrouping rewrites half the incidents' rows: until the table is vacuumed its
        visibility map sends every index entry the next incremental run reads to the heap as
        well, and the statistics still see an empty event column. Inside a transaction (no
        VACUUM there) only the statistics are refreshed.
        """
        from .models import CandidatePair, Event

        incidents = Incident._meta.db_table
        with self.connection.cursor() as cursor:
            # In a transaction, whether atomic's or one opened with autocommit off: no VACUUM.
            if self.connection.in_atomic_block or not self.connection.get_autocommit():
                cursor.execute(f"ANALYZE {incidents} (event)")
            else:
                cursor.execute(f"VACUUM (ANALYZE) {incidents} (event)")
            cursor.execute(f"ANALYZE {CandidatePair._meta.db_table} (first_id, second_id, state)")
            cursor.execute(f"ANALYZE {Event._meta.db_table} (id, anchor_id)")


_STORES = {"postgresql": PostgresEventsStore, "sqlite": SQLiteEventsStore}


def events_store_for(connection: BaseDatabaseWrapper) -> EventsStore:
    """The one place that picks the database-specific code, from the connection's vendor."""
    store = _STORES.get(connection.vendor)
    if store is None:
        raise NotImplementedError(f"Events are grouped on {' or '.join(_STORES)}, not {connection.vendor}.")
    return store(connection)
