"""Our own CSV: the API's CSV export, read back. Export then import gives the same incidents.

One row per incident, UTF-8, a header row, optionally an HXL hashtag row right under it
(skipped on import). Columns, in this order (TRACKER_COLUMNS):

  source_dataset, external_id, occurred_at, date_precision, occurred_until, place_name, admin1,
  admin2, latitude, longitude, location_precision, category, perpetrator, target_type, weapons,
  killed_civilians, killed_combatants, killed_unknown, injured_civilians, injured_combatants,
  injured_unknown, description, status, sources, source_urls

- occurred_at/occurred_until: ISO 8601 (2019-04-02T09:00:00+00:00; a time without offset is UTC)
- choice columns hold the slugs (category "shelling", status "verified"...)
- perpetrator: the party's name (or an alias); empty when unknown
- weapons: a ;-list of weapon slugs; sources: a ;-list of source names; source_urls: the ;-list
  of their URLs in the same order (empty entries allowed). Confidential sources are never exported.
- external_id is required; an incident entered by hand has none of its own, so the export writes
  source_dataset "tracker" and its id.
"""
import csv
import datetime as dt

from incidents.choices import (
    DatePrecision,
    IncidentCategory,
    IncidentStatus,
    LocationPrecision,
    TargetType,
    Weapon,
)

from .base import BadValue, ImportFileError, Record, check_length, parse_count, parse_point, split_list

TRACKER_COLUMNS = [
    "source_dataset", "external_id", "occurred_at", "date_precision", "occurred_until", "place_name",
    "admin1", "admin2", "latitude", "longitude", "location_precision", "category", "perpetrator",
    "target_type", "weapons", "killed_civilians", "killed_combatants", "killed_unknown",
    "injured_civilians", "injured_combatants", "injured_unknown", "description", "status",
    "sources", "source_urls",
]
HXL_TAGS = {
    "source_dataset": "#meta+dataset", "external_id": "#meta+id", "occurred_at": "#date+start",
    "date_precision": "#date+precision", "occurred_until": "#date+end", "place_name": "#loc+name",
    "admin1": "#adm1+name", "admin2": "#adm2+name", "latitude": "#geo+lat", "longitude": "#geo+lon",
    "location_precision": "#geo+precision", "category": "#event+type", "perpetrator": "#org+perpetrator",
    "target_type": "#target+type", "weapons": "#weapon", "killed_civilians": "#affected+killed+civilians",
    "killed_combatants": "#affected+killed+combatants", "killed_unknown": "#affected+killed+unknown",
    "injured_civilians": "#affected+injured+civilians", "injured_combatants": "#affected+injured+combatants",
    "injured_unknown": "#affected+injured+unknown", "description": "#description", "status": "#status",
    "sources": "#meta+source", "source_urls": "#meta+url",
}
REQUIRED = ("external_id", "occurred_at", "category")
COUNTS = (
    "killed_civilians", "killed_combatants", "killed_unknown",
    "injured_civilians", "injured_combatants", "injured_unknown",
)
CHOICES = {
    "date_precision": (DatePrecision, DatePrecision.DAY),
    "location_precision": (LocationPrecision, LocationPrecision.EXACT),
    "target_type": (TargetType, TargetType.NONE),
    "status": (IncidentStatus, IncidentStatus.DRAFT),
}
WEAPONS = set(Weapon.values)


def is_hxl_row(row):
    cells = [cell.strip() for cell in row if cell.strip()]
    return bool(cells) and all(cell.startswith("#") for cell in cells)


def parse_datetime(text, column):
    value = text.strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(column, f"unparseable date {value!r} (expected ISO 8601, e.g. 2019-04-02T09:00:00+00:00)")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


class TrackerReader:
    format = "tracker"
    dataset = "tracker"
    provided_fields = (
        "occurred_at", "date_precision", "occurred_until", "place_name", "admin1", "admin2",
        "latitude", "longitude", "location_precision", "category", "perpetrator_id", "target_type",
        "weapons", *COUNTS, "description", "status",
    )
    id_column = "external_id"
    skip_row = staticmethod(is_hxl_row)

    def __init__(self, header):
        self.header = header
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise ImportFileError("not a tracker CSV: required column missing", column=", ".join(missing))

    def parse(self, cells):
        row = dict(zip(self.header, cells))  # by name: these files are small next to ACLED's
        external_id = row["external_id"].strip()
        if not external_id:
            raise BadValue("external_id", "missing id")
        check_length(external_id, "external_id", 100)
        source_dataset = check_length(row.get("source_dataset", "").strip() or self.dataset, "source_dataset", 30)

        occurred_at = parse_datetime(row["occurred_at"], "occurred_at")
        if occurred_at is None:
            raise BadValue("occurred_at", "date is empty")
        occurred_until = parse_datetime(row.get("occurred_until", ""), "occurred_until")
        if occurred_until and occurred_until < occurred_at:
            raise BadValue("occurred_until", "the end of the window is before occurred_at")

        category = row["category"].strip()
        if category not in IncidentCategory.values:
            raise BadValue("category", f"unknown category {category!r}")
        latitude, longitude = parse_point(row.get("latitude", ""), row.get("longitude", ""))
        weapons = split_list(row.get("weapons", ""))
        unknown = [weapon for weapon in weapons if weapon not in WEAPONS]
        if unknown:
            raise BadValue("weapons", f"unknown weapon {', '.join(unknown)!r}")

        fields = {
            "occurred_at": occurred_at,
            "occurred_until": occurred_until,
            "place_name": check_length(row.get("place_name", "").strip(), "place_name", 200),
            "admin1": check_length(row.get("admin1", "").strip(), "admin1", 100),
            "admin2": check_length(row.get("admin2", "").strip(), "admin2", 100),
            "latitude": latitude,
            "longitude": longitude,
            "category": category,
            "weapons": weapons,
            "description": row.get("description", "").replace("\r\n", "\n"),
        }
        for column, (choices, default) in CHOICES.items():
            value = row.get(column, "").strip()
            if not value:
                value = default
            elif value not in choices.values:
                raise BadValue(column, f"unknown {column.replace('_', ' ')} {value!r}")
            fields[column] = value
        for column in COUNTS:
            fields[column] = parse_count(row.get(column, ""), column)

        names = [name.strip() for name in row.get("sources", "").split(";")]
        urls = [url.strip() for url in row.get("source_urls", "").split(";")]
        sources = []
        for index, name in enumerate(names):
            url = urls[index] if index < len(urls) else ""
            if name:
                sources.append((check_length(name, "sources", 300), check_length(url, "source_urls", 1000), None, ""))
        return Record(
            external_id=external_id,
            source_dataset=source_dataset,
            actor=row.get("perpetrator", "").strip(),
            sources=sources,
            fields=fields,
        )


def _iso(value):
    return value.astimezone(dt.timezone.utc).isoformat() if value else ""


def incident_row(incident):
    """One incident as a TRACKER_COLUMNS row (sources: the non-confidential ones, prefetched)."""
    sources = [source for source in incident.sources.all() if not source.confidential]
    return [
        incident.source_dataset or "tracker",
        incident.external_id or str(incident.pk),
        _iso(incident.occurred_at),
        incident.date_precision,
        _iso(incident.occurred_until),
        incident.place_name,
        incident.admin1,
        incident.admin2,
        "" if incident.latitude is None else repr(incident.latitude),
        "" if incident.longitude is None else repr(incident.longitude),
        incident.location_precision,
        incident.category,
        incident.perpetrator.name if incident.perpetrator_id else "",
        incident.target_type,
        ";".join(incident.weapons or []),
        *(getattr(incident, column) for column in COUNTS),
        incident.description,
        incident.status,
        ";".join(source.name.replace(";", ",") for source in sources),
        ";".join(source.url.replace(";", "%3B") for source in sources),
    ]


def write_incidents(incidents, out, hxl=False):
    """Write incidents in the tracker CSV format (the reference the API's export follows)."""
    writer = csv.writer(out)
    writer.writerow(TRACKER_COLUMNS)
    if hxl:
        writer.writerow([HXL_TAGS[column] for column in TRACKER_COLUMNS])
    for incident in incidents.select_related("perpetrator").prefetch_related("sources"):
        writer.writerow(incident_row(incident))
