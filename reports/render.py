"""Turn report data into HTML, CSV and JSON. The data is the single source of every format."""

import base64
import io
import json

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.csv import SafeWriter

TIMELINE_CID = "timeline@report"
MAP_CID = "map@report"


def data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


def trend_names() -> dict[str, str]:
    """The headline figures' names, in the active language."""
    return {
        "violations": _("Violations"),
        "events": _("Events"),
        "incidents": _("Incidents"),
        "killed": _("Killed"),
        "injured": _("Injured"),
    }


def to_html(data: dict, *, timeline_src: str, map_src: str) -> str:
    """The report as one HTML page in the active language (its `lang` and `dir` too); image
    sources are data URIs (download) or cid: (email)."""
    return render_to_string(
        "reports/page.html",
        {"report": data, "timeline_src": timeline_src, "map_src": map_src, "trend_names": trend_names()},
    )


def to_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2)


BREAKDOWN_SECTIONS = ["by_clause", "by_party", "by_area", "by_category"]
BREAKDOWN_METRICS = [
    "violations",
    "incidents",
    "high",
    "medium",
    "low",
    "flagged",
    "confirmed",
    "dismissed",
    "previous_violations",
    "previous_incidents",
    "change",
]


def to_csv(data: dict) -> str:
    """Long ("tidy") CSV: one value per row, so every section fits one sheet and pivots cleanly.

    Columns: section, key, label, metric, value.
    """
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\n")
    writer.writerow(["section", "key", "label", "metric", "value"])
    for rows in (_report_rows, _breakdown_rows, _deadline_rows, _most_serious_rows, _timeline_rows):
        writer.writerows(rows(data))
    return out.getvalue()


def _report_rows(data):
    period = data["period"]
    agreement = data["agreement"]["slug"] if data["agreement"] else "all"
    for metric, value in [
        ("agreement", agreement),
        ("period_start", period["start"]),
        ("period_end", period["end"]),
        ("timezone", period["timezone"]),
        ("previous_start", period["previous_start"]),
        ("previous_end", period["previous_end"]),
        ("generated_at", data["generated_at"]),
    ]:
        yield ["report", "", "", metric, value]


def _breakdown_rows(data):
    for metric in BREAKDOWN_METRICS:
        yield ["totals", "", "All", metric, data["totals"][metric]]
    for section in BREAKDOWN_SECTIONS:
        for row in data[section]:
            key = row["key"] if row["key"] is not None else ""
            for metric in BREAKDOWN_METRICS:
                yield [section, key, row["label"], metric, row[metric]]
    for metric, value in data["casualties"].items():
        yield ["casualties", "", "", metric, value]


def _deadline_rows(data):
    for group, rows in data["deadlines"].items():
        for d in rows:
            label = f"{d['agreement']} §{d['clause'] or '-'}: {d['description']}"
            yield [f"deadlines_{group}", d["id"], label, "due_at", d["due_at"]]
            yield [f"deadlines_{group}", d["id"], label, "status", d["status"]]


def _most_serious_rows(data):
    for incident in data["most_serious"]:
        label = f"{incident['category_label']} at {incident['place']}"
        for metric in ("occurred_at", "perpetrator", "killed", "injured"):
            yield ["most_serious", incident["id"], label, metric, incident[metric]]
        yield ["most_serious", incident["id"], label, "clauses", "; ".join(incident["clauses"])]
        for source in incident["sources"]:
            yield [
                "most_serious",
                incident["id"],
                label,
                "source",
                f"{source['name']} {source['url']}".strip(),
            ]


def _timeline_rows(data):
    for i, day in enumerate(data["timeline"]["days"]):
        for party, counts in data["timeline"]["series"].items():
            if counts[i]:
                yield ["timeline", day, party, "violations", counts[i]]
