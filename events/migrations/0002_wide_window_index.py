"""An index of the few reports with a window wider than a day, for the incremental grouping.

A report may pair with one that started up to MAX_WINDOW + TIME_SLACK (9 days) before it only
when that one's window is wider than a day (a few days, a week, or an explicit end): this
partial index finds those without reading the other 8 days of day-precise reports
(events.store.PostgresEventsStore.within). PostgreSQL only: SQLite reads one box around all.
"""

from django.db import migrations

INDEX = "incident_wide_window_time"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON incidents_incident (category, occurred_at) "
    "INCLUDE (latitude, longitude, id) "
    "WHERE occurred_until IS NOT NULL OR date_precision IN ('days', 'week')"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial"), ("incidents", "0008_event_column")]

    operations = [migrations.RunPython(create, drop)]
