"""Turn report data into HTML, CSV and JSON. The data is the single source of every format."""

import base64
import csv
import io
import json

from django.template.loader import render_to_string

TIMELINE_CID = "timeline@report"
MAP_CID = "map@report"


def data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


def to_html(data, *, timeline_src, map_src):
    """The report as one HTML page; image sources are data URIs (download) or cid: (email)."""
    return render_to_string(
        "reports/page.html",
        {"report": data, "timeline_src": timeline_src, "map_src": map_src},
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


def to_csv(data):
    """Long ("tidy") CSV: one value per row, so every section fits one sheet and pivots cleanly.

    Columns: section, key, label, metric, value.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "label", "metric", "value"])
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
        writer.writerow(["report", "", "", metric, value])
    for metric in BREAKDOWN_METRICS:
        writer.writerow(["totals", "", "All", metric, data["totals"][metric]])
    for section in BREAKDOWN_SECTIONS:
        for row in data[section]:
            for metric in BREAKDOWN_METRICS:
                writer.writerow(
                    [section, row["key"] if row["key"] is not None else "", row["label"], metric, row[metric]]
                )
    for metric, value in data["casualties"].items():
        writer.writerow(["casualties", "", "", metric, value])
    for group, rows in data["deadlines"].items():
        for d in rows:
            label = f"{d['agreement']} §{d['clause'] or '-'}: {d['description']}"
            writer.writerow([f"deadlines_{group}", d["id"], label, "due_at", d["due_at"]])
            writer.writerow([f"deadlines_{group}", d["id"], label, "status", d["status"]])
    for incident in data["most_serious"]:
        label = f"{incident['category_label']} at {incident['place']}"
        for metric in ("occurred_at", "perpetrator", "killed", "injured"):
            writer.writerow(["most_serious", incident["id"], label, metric, incident[metric]])
        writer.writerow(["most_serious", incident["id"], label, "clauses", "; ".join(incident["clauses"])])
        for source in incident["sources"]:
            writer.writerow(
                ["most_serious", incident["id"], label, "source", f"{source['name']} {source['url']}".strip()]
            )
    for i, day in enumerate(data["timeline"]["days"]):
        for party, counts in data["timeline"]["series"].items():
            if counts[i]:
                writer.writerow(["timeline", day, party, "violations", counts[i]])
    return out.getvalue()
