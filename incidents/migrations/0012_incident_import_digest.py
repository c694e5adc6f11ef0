"""The importer's digest of each incident (Incident.import_digest), and on PostgreSQL the
triggers that clear it whenever the row's imported content changes by any other hand than the
importer's: a re-import then compares that row again, as it compares every row without one."""

from django.db import migrations, models

# The incident columns an import writes (imports.staging.DATA_COLUMNS and the row's identity),
# as they stand at this migration.
IMPORTED_COLUMNS = (
    "source_dataset",
    "external_id",
    "occurred_at",
    "date_precision",
    "occurred_until",
    "place_name",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "location_precision",
    "category",
    "perpetrator_id",
    "actor_name",
    "actor_case",
    "target_type",
    "weapons",
    "killed_civilians",
    "killed_combatants",
    "killed_unknown",
    "injured_civilians",
    "injured_combatants",
    "injured_unknown",
    "description",
    "status",
)
OLD = ", ".join(f"OLD.{column}" for column in IMPORTED_COLUMNS)
NEW = ", ".join(f"NEW.{column}" for column in IMPORTED_COLUMNS)
# An import marks its transaction (SET LOCAL incidents.importing = 'on'): the sources it
# replaces belong to the rows it writes together with their new digest.
NOT_IMPORTING = "current_setting('incidents.importing', true) IS DISTINCT FROM 'on'"

CREATE = f"""
CREATE FUNCTION incidents_clear_import_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.import_digest := NULL;
    RETURN NEW;
END $$;

CREATE TRIGGER incidents_incident_edited BEFORE UPDATE ON incidents_incident FOR EACH ROW
WHEN (OLD.import_digest IS NOT NULL AND NEW.import_digest IS NOT DISTINCT FROM OLD.import_digest
      AND ({OLD}) IS DISTINCT FROM ({NEW}))
EXECUTE FUNCTION incidents_clear_import_digest();

CREATE FUNCTION incidents_source_clears_import_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE incidents_incident SET import_digest = NULL
        WHERE id = OLD.incident_id AND import_digest IS NOT NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE incidents_incident SET import_digest = NULL
        WHERE id = NEW.incident_id AND import_digest IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_source_added AFTER INSERT ON incidents_source FOR EACH ROW
WHEN ({NOT_IMPORTING}) EXECUTE FUNCTION incidents_source_clears_import_digest();
CREATE TRIGGER incidents_source_changed AFTER UPDATE ON incidents_source FOR EACH ROW
WHEN ({NOT_IMPORTING}) EXECUTE FUNCTION incidents_source_clears_import_digest();
CREATE TRIGGER incidents_source_removed AFTER DELETE ON incidents_source FOR EACH ROW
WHEN ({NOT_IMPORTING}) EXECUTE FUNCTION incidents_source_clears_import_digest();
"""

DROP = """
DROP TRIGGER IF EXISTS incidents_source_removed ON incidents_source;
DROP TRIGGER IF EXISTS incidents_source_changed ON incidents_source;
DROP TRIGGER IF EXISTS incidents_source_added ON incidents_source;
DROP FUNCTION IF EXISTS incidents_source_clears_import_digest();
DROP TRIGGER IF EXISTS incidents_incident_edited ON incidents_incident;
DROP FUNCTION IF EXISTS incidents_clear_import_digest();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0011_category_time_index_keyed_by_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="import_digest",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
