"""Our own CSV: the API's CSV export (`GET /api/v1/incidents/?format=csv`), read back.

The columns are incidents.csv.INCIDENT_CSV_COLUMNS, in any order; an HXL hashtag row right
under the header is skipped. What is read:

- identity: `source_dataset` + `external_id` when the incident has an external id (imported
  data keeps its own: re-importing updates it, in any database). An incident entered by hand
  has none: it is read with its `source_dataset` (or "tracker") and the external id `<id>@<created_at>`,
  and when the file goes back into the database it came from, the incident with that `id` and
  the same `created_at` (to the microsecond) is that incident (see Record.local_id).
- occurred_at/occurred_until: ISO 8601 (2019-04-02T09:00:00Z; a time without offset is UTC)
- choice columns hold the slugs (category "shelling", status "verified"...)
- perpetrator: `actor_name` (the actor as the source named it) or, when empty or absent,
  `perpetrator_name` (the party's name, or an alias), matched to a party; the `perpetrator` id
  is not used, as ids differ between databases. No actor at all is unidentified.
- weapons: a ;-list of weapon slugs
- sources: `sources_json` (the full list the exporting user could see: name, url,
  published_on, notes, reliability) when present, else the `sources` names (which the export
  writes for non-confidential sources only). Confidential sources are never imported: in the
  database they came from, they stay as they are; elsewhere they must be entered by hand.
- text cells the export protected against spreadsheet formulas (a leading `'`) are restored.
- id, event, created_by, created_at and updated_at are the database's own: not imported.
"""

import datetime as dt
import json

from django.utils.translation import gettext as _

from core.choices import IncidentCategory
from core.csv import csv_text
from incidents.choices import (
    DatePrecision,
    IncidentStatus,
    LocationPrecision,
    SourceReliability,
    TargetType,
    Weapon,
)
from incidents.csv import INCIDENT_CSV_COLUMNS
from incidents.models import CASUALTY_FIELDS

from .base import (
    INCIDENT_LIMITS,
    SOURCE_LIMITS,
    BadValue,
    ImportFileError,
    Record,
    check_length,
    check_window,
    parse_count,
    parse_point,
    split_list,
)

TRACKER_COLUMNS = [name for name, _tag in INCIDENT_CSV_COLUMNS]
REQUIRED = ("occurred_at", "category")
COUNTS = CASUALTY_FIELDS
CHOICES = {
    "date_precision": (DatePrecision, DatePrecision.DAY),
    "location_precision": (LocationPrecision, LocationPrecision.EXACT),
    "target_type": (TargetType, TargetType.NONE),
    "status": (IncidentStatus, IncidentStatus.DRAFT),
}
WEAPONS = set(Weapon.values)
RELIABILITIES = set(SourceReliability.values)


def is_hxl_row(row):
    cells = [cell.strip() for cell in row if cell.strip()]
    return bool(cells) and all(cell.startswith("#") for cell in cells)


def parse_datetime(text: str, column: str) -> dt.datetime | None:
    """An ISO 8601 date and time in UTC (UTC when it has no offset); None when empty."""
    value = text.strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(
            column,
            _("unparseable date %(value)s (expected ISO 8601, e.g. 2019-04-02T09:00:00+00:00)")
            % {"value": repr(value)},
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


class TrackerReader:
    format = "tracker"
    dataset = "tracker"
    provided_fields = (
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
        "target_type",
        "weapons",
        *COUNTS,
        "description",
        "status",
    )
    id_column = "external_id"
    skip_row = staticmethod(is_hxl_row)

    @staticmethod
    def unidentified_actor(actor: str) -> bool:
        return not actor

    def __init__(self, header: list[str]):
        """Check the header (the file's column names, lower case); raises ImportFileError."""
        self.header = header
        missing = [name for name in REQUIRED if name not in header]
        if "external_id" not in header and "id" not in header:
            missing.append("external_id")
        if missing:
            raise ImportFileError(_("not a tracker CSV: required column missing"), column=", ".join(missing))

    def parse(self, cells: list[str]) -> Record:
        """One row's cells (as CsvStream gives them) -> a Record; raises BadValue on the first bad cell."""
        row = {name: csv_text(cell) for name, cell in zip(self.header, cells)}
        external_id, source_dataset, local_id = self._identity(row)
        occurred_at, occurred_until = _window(row)
        category = row["category"].strip()
        if category not in IncidentCategory.values:
            raise BadValue("category", _("unknown category %(value)s") % {"value": repr(category)})
        latitude, longitude = parse_point(row.get("latitude", ""), row.get("longitude", ""))
        weapons = _weapons(row)
        fields = {
            "occurred_at": occurred_at,
            "occurred_until": occurred_until,
            "place_name": check_length(
                row.get("place_name", "").strip(), "place_name", INCIDENT_LIMITS["place_name"]
            ),
            "admin1": check_length(row.get("admin1", "").strip(), "admin1", INCIDENT_LIMITS["admin1"]),
            "admin2": check_length(row.get("admin2", "").strip(), "admin2", INCIDENT_LIMITS["admin2"]),
            "latitude": latitude,
            "longitude": longitude,
            "category": category,
            "weapons": weapons,
            "description": check_length(
                row.get("description", ""), "description", INCIDENT_LIMITS["description"]
            ),
        }
        if "actor_name" in row:  # our own export says how the source named the actor
            fields["actor_name"] = check_length(
                row["actor_name"].strip(), "actor_name", INCIDENT_LIMITS["actor_name"]
            )
        fields.update((column, _choice(row, column)) for column in CHOICES)
        fields.update((column, parse_count(row.get(column, ""), column)) for column in COUNTS)
        return Record(
            external_id=external_id,
            source_dataset=source_dataset,
            actor=row.get("actor_name", "").strip() or row.get("perpetrator_name", "").strip(),
            sources=parse_sources(row),
            fields=fields,
            local_id=local_id,
        )

    def _identity(self, row):
        """(external_id, source_dataset, local_id): the file's own id, or `<id>@<created_at>` of
        an incident entered by hand (see the module docstring)."""
        external_id = row.get("external_id", "").strip()
        source_dataset = row.get("source_dataset", "").strip()
        local_id = None
        if not external_id:
            external_id, local_id = _local_identity(row)
        check_length(external_id, "external_id", INCIDENT_LIMITS["external_id"])
        source_dataset = check_length(
            source_dataset or self.dataset, "source_dataset", INCIDENT_LIMITS["source_dataset"]
        )
        return external_id, source_dataset, local_id


def _local_identity(row):
    """(external id, (id, created_at) or None) of an incident exported without an external id."""
    own_id = row.get("id", "").strip()
    if not own_id:
        raise BadValue("external_id", _("missing id (give external_id, or the id of an exported incident)"))
    if not own_id.isdigit() or len(own_id) > 18:
        raise BadValue("id", _("not an incident id: %(value)s") % {"value": repr(own_id)})
    # id@created_at: two databases' incidents #5 are not one incident.
    created_at = parse_datetime(row.get("created_at", ""), "created_at")
    if created_at is None:
        return own_id, None
    return f"{own_id}@{created_at.isoformat()}", (int(own_id), created_at)


def _window(row):
    occurred_at = parse_datetime(row["occurred_at"], "occurred_at")
    if occurred_at is None:
        raise BadValue("occurred_at", _("date is empty"))
    occurred_until = parse_datetime(row.get("occurred_until", ""), "occurred_until")
    if occurred_until and occurred_until < occurred_at:
        raise BadValue("occurred_until", _("the end of the window is before occurred_at"))
    return check_window(occurred_at, occurred_until, "occurred_at")


def _weapons(row):
    weapons = [csv_text(weapon) for weapon in split_list(row.get("weapons", ""))]
    unknown = [weapon for weapon in weapons if weapon not in WEAPONS]
    if unknown:
        raise BadValue("weapons", _("unknown weapon %(value)s") % {"value": repr(", ".join(unknown))})
    return weapons


def _choice(row, column):
    """A choice column's slug, its default when empty."""
    choices, default = CHOICES[column]
    value = row.get(column, "").strip()
    if not value:
        return default
    if value not in choices.values:
        raise BadValue(
            column,
            _("unknown %(column)s %(value)s") % {"column": column.replace("_", " "), "value": repr(value)},
        )
    return value


def parse_sources(row: dict[str, str]) -> list[tuple]:
    """(name, url, published_on, notes, reliability) of the row's non-confidential sources."""
    text = row.get("sources_json", "").strip()
    if not text:
        names = [csv_text(name) for name in split_list(row.get("sources", ""))]
        return [(check_length(name, "sources", SOURCE_LIMITS["name"]), "", None, "") for name in names]
    return [_json_source(item) for item in _json_sources(text) if not item.get("confidential")]


def _json_sources(text):
    try:
        items = json.loads(text)
    except ValueError:
        raise BadValue("sources_json", _("not a JSON list of sources")) from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadValue("sources_json", _("not a JSON list of sources"))
    return items


def _json_source(item):
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BadValue("sources_json", _("a source without a name"))
    url, notes = item.get("url") or "", item.get("notes") or ""
    if not isinstance(url, str) or not isinstance(notes, str):
        raise BadValue(
            "sources_json", _("source %(name)s: url and notes must be text") % {"name": repr(name)}
        )
    published_on = item.get("published_on")
    if published_on:
        try:
            published_on = dt.date.fromisoformat(published_on)
        except (TypeError, ValueError):
            reason = _("source %(name)s: unparseable date %(value)s") % {
                "name": repr(name),
                "value": repr(published_on),
            }
            raise BadValue("sources_json", reason) from None
    reliability = item.get("reliability") or ""
    if reliability and reliability not in RELIABILITIES:
        raise BadValue(
            "sources_json",
            _("source %(name)s: unknown reliability %(value)s")
            % {"name": repr(name), "value": repr(reliability)},
        )
    return (
        check_length(name.strip(), "sources", SOURCE_LIMITS["name"]),
        check_length(url, "sources_json", SOURCE_LIMITS["url"]),
        published_on or None,
        check_length(notes, "sources_json", SOURCE_LIMITS["notes"]),
        reliability,
    )
