"""The CSV columns of incidents, with their HXL hashtags (https://hxlstandard.org).

One place for the column list: the API's CSV export writes these, and the tracker importer
(imports.tracker_csv) reads them back. Columns are the incident serializer's
fields, in this order, then `sources_json`; lists (weapons) are joined with ";"; `sources` holds
the names of the non-confidential sources, joined with ";", and `sources_json` all the sources
the reader may see, in full (a JSON list of objects, confidential ones marked), so that an
export can be imported again.
"""

import json

SOURCE_JSON_FIELDS = ("name", "url", "published_on", "reliability", "confidential", "notes")

INCIDENT_CSV_COLUMNS = [
    ("id", "#event+id"),
    ("occurred_at", "#date+occurred"),
    ("date_precision", "#date+precision"),
    ("occurred_until", "#date+end"),
    ("place_name", "#loc+name"),
    ("admin1", "#adm1+name"),
    ("admin2", "#adm2+name"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("location_precision", "#geo+precision"),
    ("category", "#event+type"),
    ("perpetrator", "#group+perpetrator+id"),
    ("perpetrator_name", "#group+perpetrator+name"),
    ("actor_name", "#group+perpetrator+name+source"),
    ("actor_case", "#group+perpetrator+type"),
    ("target_type", "#event+target+type"),
    ("weapons", "#event+weapons"),
    ("killed_civilians", "#affected+killed+civilians"),
    ("killed_combatants", "#affected+killed+combatants"),
    ("killed_unknown", "#affected+killed+unknown"),
    ("injured_civilians", "#affected+injured+civilians"),
    ("injured_combatants", "#affected+injured+combatants"),
    ("injured_unknown", "#affected+injured+unknown"),
    ("description", "#description"),
    ("status", "#status"),
    ("source_dataset", "#meta+dataset"),
    ("external_id", "#meta+id+external"),
    ("event", "#event+group+id"),
    ("sources", "#meta+source"),
    ("created_by", "#contact+name+entered"),
    ("created_at", "#date+created"),
    ("updated_at", "#date+updated"),
]
INCIDENT_CSV_FIELDS = [name for name, _tag in INCIDENT_CSV_COLUMNS]  # the serializer's fields
INCIDENT_CSV_COLUMNS += [("sources_json", "#meta+source+json")]


def incident_csv_row(item):
    """A serialized incident as a CSV row: sources by name, and in full in `sources_json`."""
    sources = item.get("sources") or []
    return {
        **item,
        # Confidential sources (for those who may see them) only in sources_json, marked: a
        # names-only reader of this file must not take a witness for a public source.
        "sources": [source["name"] for source in sources if not source.get("confidential")],
        "sources_json": json.dumps(
            [{name: source.get(name) for name in SOURCE_JSON_FIELDS} for source in sources],
            ensure_ascii=False,
        )
        if sources
        else "",
    }
