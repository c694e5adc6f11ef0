"""The database-specific writes of the grouping: inserting many rows, and giving many incidents
their event at once.

PostgreSQL inserts with COPY and updates the incidents in one statement from two arrays
(unnest); SQLite, with one writer and small data, uses the ORM. Every write runs under the
grouping lock (events.services.lock) after reading what exists, so no insert can collide with
another worker's. Reads go through tracker.store (binary COPY on PostgreSQL).
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from incidents.models import Incident

BATCH = 5_000


class EventsStore(Protocol):
    def insert(self, model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert `rows` (values of `fields`, JSON fields as Python values) into `model`'s table."""

    def set_events(self, rows: Sequence[tuple[int, int | None]]) -> int:
        """Give each incident id its event id (None: none); return how many rows changed."""


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


_STORES = {"postgresql": PostgresEventsStore, "sqlite": SQLiteEventsStore}


def events_store_for(connection: BaseDatabaseWrapper) -> EventsStore:
    """The one place that picks the database-specific code, from the connection's vendor."""
    store = _STORES.get(connection.vendor)
    if store is None:
        raise NotImplementedError(f"Events are grouped on {' or '.join(_STORES)}, not {connection.vendor}.")
    return store(connection)
