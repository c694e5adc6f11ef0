"""The report as PDF, with fpdf2 (pure Python) and the DejaVu fonts that matplotlib ships.

Text shaping (Arabic place names joined and right-to-left) uses uharfbuzz, a self-contained
wheel from PyPI; no system library is needed.
"""

import io
import json
import re
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
# Scripts that need shaping: Hebrew, Arabic, Syriac, Thaana, Arabic supplements and presentation forms.
NEEDS_SHAPING = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
HEADINGS = FontFace(emphasis="BOLD", fill_color=(242, 243, 244))
BREAKDOWN_COLUMNS = [
    ("violations", "Viol."),
    ("incidents", "Inc."),
    ("high", "High"),
    ("medium", "Med."),
    ("low", "Low"),
    ("flagged", "Flag."),
    ("confirmed", "Conf."),
    ("dismissed", "Dism."),
    ("previous_violations", "Prev."),
    ("change", "Change"),
]


class ReportPDF(FPDF):
    def __init__(self, title, shaping):
        super().__init__(format="A4")
        self.report_title = title
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        if shaping:  # joined, right-to-left Arabic; costly, so only when the text needs it
            self.set_text_shaping(True)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)
        self.set_creator("Ceasefire Compliance Tracker")

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.cell(0, 5, f"{self.report_title} · page {self.page_no()}/{{nb}}", align="C")

    def heading(self, text, size=11):
        self.ln(2)
        self.set_font(FONT, "B", size)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8)

    def note(self, text):
        self.set_font(FONT, "", 8)
        self.multi_cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")

    def rows(self, header, rows, widths, numeric_from=1):
        align = ["LEFT"] * numeric_from + ["RIGHT"] * (len(header) - numeric_from)
        self.set_font(FONT, "", 7.5)
        with self.table(
            col_widths=widths,
            text_align=align,
            headings_style=HEADINGS,
            line_height=4.5,
            first_row_as_headings=True,
        ) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(str(value))


def _signed(value):
    return f"+{value}" if value > 0 else str(value)


def to_pdf(data, *, timeline_png, map_png):
    pdf = ReportPDF(data["title"], shaping=bool(NEEDS_SHAPING.search(json.dumps(data, ensure_ascii=False))))
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, data["title"], new_x="LMARGIN", new_y="NEXT")
    period = data["period"]
    pdf.note(
        f"Period {period['start']} to {period['end']} ({period['days']} days, {period['timezone']}), compared with "
        f"{period['previous_start']} to {period['previous_end']}. Generated {data['generated_at'][:16]}. "
        "Violations are counted by the date of the incident; flagged and confirmed violations count."
    )
    pdf.heading("Summary")
    pdf.rows(
        ["", "This period", "Previous", "Change"],
        [
            [name.capitalize(), t["current"], t["previous"], _signed(t["change"])]
            for name, t in data["trend"].items()
        ],
        widths=(40, 25, 25, 25),
    )
    pdf.heading("Violations over time")
    pdf.image(io.BytesIO(bytes(timeline_png)), w=180)
    for section, title in [
        ("by_clause", "By clause"),
        ("by_party", "By party (perpetrator)"),
        ("by_area", "By area (governorate / district)"),
        ("by_category", "By category"),
    ]:
        pdf.heading(title)
        if not data[section]:
            pdf.note("No violations in this or the previous period.")
            continue
        pdf.rows(
            ["", *(label for _, label in BREAKDOWN_COLUMNS)],
            [
                [row["label"], *(_signed(row[m]) if m == "change" else row[m] for m, _ in BREAKDOWN_COLUMNS)]
                for row in data[section]
            ],
            widths=(56, *([12] * (len(BREAKDOWN_COLUMNS) - 1)), 15),
        )
    c = data["casualties"]
    pdf.heading("Casualties")
    pdf.rows(
        ["", "Civilians", "Combatants", "Unknown", "Total", "Previous"],
        [
            [
                "Killed",
                c["killed_civilians"],
                c["killed_combatants"],
                c["killed_unknown"],
                c["killed"],
                c["previous_killed"],
            ],
            [
                "Injured",
                c["injured_civilians"],
                c["injured_combatants"],
                c["injured_unknown"],
                c["injured"],
                c["previous_injured"],
            ],
        ],
        widths=(30, 25, 25, 25, 25, 25),
    )
    pdf.heading("Deadlines")
    for group, title in [
        ("missed_in_period", "Missed in the period"),
        ("overdue", "Overdue (missed and not met)"),
        ("due_next", "Due next"),
    ]:
        pdf.heading(title, size=9)
        rows = data["deadlines"][group]
        if not rows:
            pdf.note("None.")
            continue
        pdf.rows(
            ["Agreement", "Clause", "What is due", "Due", "Status"],
            [
                [d["agreement"], d["clause"] or "-", d["description"], d["due_date"], d["status_label"]]
                for d in rows
            ],
            widths=(30, 15, 85, 25, 25),
            numeric_from=5,
        )
    pdf.heading("Most serious incidents")
    if data["most_serious"]:
        pdf.rows(
            ["When", "Where", "What", "Perpetrator", "Killed", "Injured", "Clauses", "Sources"],
            [
                [
                    i["occurred_at"][:16].replace("T", " "),
                    i["place"],
                    i["category_label"],
                    i["perpetrator"],
                    i["killed"],
                    i["injured"],
                    ", ".join(i["clauses"]),
                    "; ".join(
                        s["name"] + (" (confidential)" if s["confidential"] else "") for s in i["sources"]
                    )
                    or "none",
                ]
                for i in data["most_serious"]
            ],
            widths=(22, 22, 25, 25, 12, 12, 27, 35),
            numeric_from=8,
        )
    else:
        pdf.note("No incidents with violations in this period.")
    pdf.heading("Map")
    pdf.image(io.BytesIO(bytes(map_png)), w=120)
    areas = ", ".join(a["name"] for a in data["areas"]) or "none recorded"
    pdf.note(f"Areas: {areas}.")
    return bytes(pdf.output())
