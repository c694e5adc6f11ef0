"""The triggers that clear an incident's import digest watch every column an import writes.

Migration incidents 0012 lists those columns as they stood then (a migration must not follow the
code). A column added to the import later must be added to the triggers by a new migration, or an
analyst's edit of it would leave the digest in place and the next re-import would skip the row.
"""

import importlib

from imports.staging import DATA_COLUMNS


def test_the_digest_triggers_watch_every_column_the_import_writes():
    migration = importlib.import_module("incidents.migrations.0012_incident_import_digest")
    assert set(migration.IMPORTED_COLUMNS) == {"source_dataset", "external_id", *DATA_COLUMNS}
