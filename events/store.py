"""The database-specific writes of the grouping: inserting many rows, and giving many incidents
their event at once.

PostgreSQL inserts with COPY and updates the incidents in one statement from two arrays
(unnest); SQLite, with one writer and small data, uses the ORM. Every write runs under the
grouping lock (events.services.lock) after reading what exists, so no insert can collide with
another worker's. Reads go through tracker.store (binary COPY on PostgreSQL).
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
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


class EventsStore(Protocol):
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
        """The candidate pairs one of whose reports is in `ids`."""


class SQLiteEventsStore:
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

        return CandidatePair.objects.filter(Q(first_id__in=list(ids)) | Q(second_id__in=list(ids)))

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
    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
        """COPY: no SQL text and no parameter per value, which is most of an INSERT's cost here."""
        if not rows:
            return
        meta = model._meta
        columns = [meta.get_field(name).column for name in fields]
        as_json = [isinstance(meta.get_field(name), models.JSONField) for name in fields]
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(value) if is_json else value
                            for value, is_json in zip(row, as_json, strict=True)
                        ]
                    )

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
        """Each box two index range scans of (category, occurred_at), its place filtered in the
        index too (both include latitude and longitude): incident_category_time for the last day
        and after, incident_wide_window_time (events migration 0002) for the days before."""
        if not boxes[0]:
            return queryset.none()
        table = Incident._meta.db_table
        place = "i.latitude BETWEEN b.lat0 AND b.lat1 AND i.longitude BETWEEN b.lon0 AND b.lon1"
        near = (
            "SELECT n.id FROM (SELECT category, to_timestamp(t0) AS t0, to_timestamp(tn) AS tn, "
            "to_timestamp(t1) AS t1, lat0, lat1, lon0, lon1 FROM unnest(%s::text[], %s::float8[], "
            "%s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[]) "
            "AS u(category, t0, tn, t1, lat0, lat1, lon0, lon1)) AS b CROSS JOIN LATERAL ("
            f"SELECT i.id FROM {table} AS i WHERE i.category = b.category "
            f"AND i.occurred_at BETWEEN b.tn AND b.t1 AND {place} "
            f"UNION ALL SELECT i.id FROM {table} AS i WHERE i.category = b.category "
            f"AND i.occurred_at >= b.t0 AND i.occurred_at < b.tn AND {WIDE_WINDOW_SQL} AND {place} "
            # OFFSET 0: each box its own index range scans, never one join over the whole table.
            "OFFSET 0) AS n"
        )
        # Array literals as text: adapting lists value by value costs more than the query.
        literals = ["{" + ",".join(map(str, part)) + "}" for part in boxes]
        ids = np.unique(store_for(self.connection).read_floats(near, literals, ["id"])[:, 0].astype(np.int64))
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
        return CandidatePair.objects.filter(either)


_STORES = {"postgresql": PostgresEventsStore, "sqlite": SQLiteEventsStore}


def events_store_for(connection: BaseDatabaseWrapper) -> EventsStore:
    """The one place that picks the database-specific code, from the connection's vendor."""
    store = _STORES.get(connection.vendor)
    if store is None:
        raise NotImplementedError(f"Events are grouped on {' or '.join(_STORES)}, not {connection.vendor}.")
    return store(connection)
