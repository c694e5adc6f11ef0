"""Helpers for the import tests: write small CSV files in each format."""

import csv
import io
from pathlib import Path

from django.conf import settings

from imports.services import run_import

UCDP_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "ucdp_ged_syria_652.1601.1911_2018-2019.csv"

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
# An export from before 2019: data_id, iso3, ally_actor_1, no sub_event_type.
OLD_ACLED_COLUMNS = [
    "data_id",
    "iso",
    "event_id_no_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "actor1",
    "ally_actor_1",
    "inter1",
    "actor2",
    "ally_actor_2",
    "inter2",
    "interaction",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "timestamp",
    "iso3",
]


def acled_row(**values):
    row = {
        "event_id_cnty": "SYR1",
        "event_date": "2019-04-02",
        "year": "2019",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Military Forces of Syria (2000-)",
        "actor2": "Civilians (Syria)",
        "iso": "760",
        "region": "Middle East",
        "country": "Syria",
        "admin1": "Idleb",
        "admin2": "Idleb",
        "admin3": "Saraqab",
        "location": "Saraqab",
        "latitude": "35.8624",
        "longitude": "36.8042",
        "geo_precision": "1",
        "source": "SOHR; Step Agency",
        "source_scale": "National",
        "notes": "Regime forces shelled the market of Saraqab.",
        "fatalities": "3",
        "timestamp": "1618518341",
    }
    row.update(values)
    return row


def write_csv(path, columns, rows, encoding="utf-8"):
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    Path(path).write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_lines(path, lines):
    """Write raw lines (bytes or str) as they are, to test what csv.DictWriter cannot produce."""
    data = b"".join(line if isinstance(line, bytes) else line.encode("utf-8") for line in lines)
    Path(path).write_bytes(data)
    return path


def import_file(path, format, **options):
    options.setdefault("batch_size", 3)  # several batches even in small files
    result = run_import(path, format, **options)
    if result.error_report:  # the tests read result.errors; the file's content is tested via the command
        Path(result.error_report).unlink()
    return result


def errors_of(result):
    return [(error.line, error.column, error.reason) for error in result.errors]
