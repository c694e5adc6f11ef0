"""The report as PDF, with fpdf2 (pure Python) and fonts shipped by PyPI packages (`fonts.py`).

Written in the active language. Arabic is shaped (letters joined, lam-alef ligatures) and laid out
right to left by fpdf2's text shaping, which uses uharfbuzz (a self-contained wheel): tables run
from right to left, text is aligned right, and copying text out of the PDF gives back the words
as written. An English report shapes only if its data holds Arabic (or Hebrew...) names.
"""

import io
import json
import re

from django.utils.translation import get_language_bidi, pgettext
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from . import fonts
from .formatting import day, moment, number, signed
from .render import trend_names

FONT = "Report"
FALLBACK = "Fallback"
# Scripts that need shaping: Hebrew, Arabic, Syriac, Thaana, Arabic supplements and presentation forms.
NEEDS_SHAPING = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
HEADINGS = FontFace(emphasis="BOLD", fill_color=(242, 243, 244))
MIRRORED = {"LEFT": "RIGHT", "RIGHT": "LEFT"}


def breakdown_columns():
    return [
        ("violations", _("Viol.")),
        ("incidents", _("Inc.")),
        ("high", pgettext("confidence", "High")),
        ("medium", _("Med.")),
        ("low", pgettext("confidence", "Low")),
        ("flagged", _("Flag.")),
        ("confirmed", _("Conf.")),
        ("dismissed", _("Dism.")),
        ("previous_violations", _("Prev.")),
        ("change", pgettext("difference", "Change")),
    ]


class ReportPDF(FPDF):
    def __init__(self, title: str, *, rtl: bool, shaping: bool):
        super().__init__(format="A4")
        self.report_title = title
        self.rtl = rtl
        # Arabic pages are set in Amiri; DejaVu draws what Amiri lacks, and the reverse.
        main, fallback = (fonts.amiri, fonts.dejavu) if rtl else (fonts.dejavu, fonts.amiri)
        for family, path in ((FONT, main), (FALLBACK, fallback)):
            self.add_font(family, "", path(bold=False))
            self.add_font(family, "B", path(bold=True))
        self.set_fallback_fonts([FALLBACK])
        if rtl:
            self.set_text_shaping(True, direction="rtl", script="arab", language="ara")
        elif shaping:  # Arabic names in an English report; costly, so only when the text needs it
            self.set_text_shaping(True)
        self.align = "R" if rtl else "L"
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)
        self.set_lang("ar" if rtl else "en")
        self.set_creator("Ceasefire Compliance Tracker")

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.cell(
            0,
            5,
            _("%(title)s · page %(page)s of %(pages)s")
            % {"title": self.report_title, "page": self.page_no(), "pages": "{nb}"},
            align="C",
        )

    def heading(self, text, size=11):
        self.ln(2)
        self.set_font(FONT, "B", size)
        self.cell(0, 7, text, align=self.align, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8)

    def note(self, text):
        self.set_font(FONT, "", 8)
        self.multi_cell(0, 4.5, text, align=self.align, new_x="LMARGIN", new_y="NEXT")

    def rows(self, header, rows, widths, numeric_from=1):
        """A table: the first `numeric_from` columns are text, the others numbers. Mirrored in RTL."""
        align = ["LEFT"] * numeric_from + ["RIGHT"] * (len(header) - numeric_from)
        lines = [header, *rows]
        if self.rtl:  # the first column on the right, text aligned to the right
            align = [MIRRORED[a] for a in reversed(align)]
            widths = tuple(reversed(widths))
            lines = [list(reversed(line)) for line in lines]
        self.set_font(FONT, "", 7.5)
        with self.table(
            col_widths=widths,
            text_align=align,
            headings_style=HEADINGS,
            line_height=4.5,
            first_row_as_headings=True,
        ) as table:
            for values in lines:
                row = table.row()
                for value in values:
                    row.cell(value if isinstance(value, str) else number(value))


def to_pdf(data: dict, *, timeline_png: bytes, map_png: bytes) -> bytes:
    """The report as PDF bytes, in the active language."""
    rtl = get_language_bidi()
    pdf = ReportPDF(
        data["title"], rtl=rtl, shaping=bool(NEEDS_SHAPING.search(json.dumps(data, ensure_ascii=False)))
    )
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, data["title"], align=pdf.align, new_x="LMARGIN", new_y="NEXT")
    _introduction(pdf, data)
    pdf.heading(_("Summary"))
    names = trend_names()
    pdf.rows(
        ["", _("This period"), pgettext("previous period", "Previous"), pgettext("difference", "Change")],
        [
            [names[name], t["current"], t["previous"], signed(t["change"])]
            for name, t in data["trend"].items()
        ],
        widths=(40, 25, 25, 25),
    )
    pdf.heading(_("Violations over time"))
    pdf.image(io.BytesIO(bytes(timeline_png)), w=180, x=pdf.l_margin)
    _breakdowns(pdf, data)
    _casualties(pdf, data["casualties"])
    _deadlines(pdf, data["deadlines"])
    _most_serious(pdf, data["most_serious"])
    pdf.heading(_("Map"))
    pdf.image(io.BytesIO(bytes(map_png)), w=120, x=pdf.w - pdf.r_margin - 120 if rtl else pdf.l_margin)
    areas = _(", ").join(a["name"] for a in data["areas"]) or _("none recorded")
    pdf.note(_("Areas: %(areas)s.") % {"areas": areas})
    return bytes(pdf.output())


def _introduction(pdf, data):
    period = data["period"]
    pdf.note(
        _(
            "Period %(start)s to %(end)s (%(days)s days, %(timezone)s), compared with %(previous_start)s "
            "to %(previous_end)s. Generated %(generated)s UTC. Violations are counted by the date of the "
            "incident; flagged and confirmed violations count."
        )
        % {
            "start": day(period["start"]),
            "end": day(period["end"]),
            "days": number(period["days"]),
            "timezone": period["timezone"],
            "previous_start": day(period["previous_start"]),
            "previous_end": day(period["previous_end"]),
            "generated": moment(data["generated_at"][:16]),
        }
    )


def breakdown_headings() -> list[tuple[str, str]]:
    return [
        ("by_clause", _("By clause")),
        ("by_party", _("By party (perpetrator)")),
        ("by_area", _("By area (governorate / district)")),
        ("by_category", _("By category")),
    ]


def _breakdowns(pdf, data):
    columns = breakdown_columns()
    for section, title in breakdown_headings():
        pdf.heading(title)
        if not data[section]:
            pdf.note(_("No violations in this or the previous period."))
            continue
        pdf.rows(
            ["", *(label for _metric, label in columns)],
            [
                [row["label"], *(signed(row[m]) if m == "change" else row[m] for m, _label in columns)]
                for row in data[section]
            ],
            widths=(56, *([12] * (len(columns) - 1)), 15),
        )


def _casualties(pdf, c):
    pdf.heading(_("Casualties"))
    pdf.rows(
        [
            "",
            _("Civilians"),
            _("Combatants"),
            pgettext("casualties", "Unknown"),
            pgettext("casualties", "Total"),
            pgettext("previous period", "Previous"),
        ],
        [
            [
                _("Killed"),
                c["killed_civilians"],
                c["killed_combatants"],
                c["killed_unknown"],
                c["killed"],
                c["previous_killed"],
            ],
            [
                _("Injured"),
                c["injured_civilians"],
                c["injured_combatants"],
                c["injured_unknown"],
                c["injured"],
                c["previous_injured"],
            ],
        ],
        widths=(30, 25, 25, 25, 25, 25),
    )


def deadline_groups() -> list[tuple[str, str]]:
    return [
        ("missed_in_period", _("Missed in the period")),
        ("overdue", _("Overdue (missed and not met)")),
        ("due_next", _("Due next")),
    ]


def _deadlines(pdf, deadlines):
    pdf.heading(_("Deadlines"))
    for group, title in deadline_groups():
        pdf.heading(title, size=9)
        rows = deadlines[group]
        if not rows:
            pdf.note(pgettext("no deadlines", "None."))
            continue
        pdf.rows(
            [
                _("Agreement"),
                _("Clause"),
                _("What is due"),
                pgettext("deadline", "Due"),
                pgettext("deadline", "Status"),
            ],
            [
                [d["agreement"], d["clause"] or "-", d["description"], day(d["due_date"]), d["status_label"]]
                for d in rows
            ],
            widths=(30, 15, 85, 25, 25),
            numeric_from=5,
        )


def _sources(incident):
    confidential = _("(confidential)")
    names = [s["name"] + (f" {confidential}" if s["confidential"] else "") for s in incident["sources"]]
    return _("; ").join(names) or pgettext("sources", "none")


def _most_serious(pdf, incidents):
    pdf.heading(_("Most serious incidents"))
    if not incidents:
        pdf.note(_("No incidents with violations in this period."))
        return
    pdf.rows(
        [_("When"), _("Where"), _("What"), _("Perpetrator"), _("Killed"), _("Injured"), _("Clauses")]
        + [_("Sources")],
        [
            [
                moment(i["occurred_at"][:16]),
                i["place"],
                i["category_label"],
                i["perpetrator"],
                i["killed"],
                i["injured"],
                _(", ").join(i["clauses"]),
                _sources(i),
            ]
            for i in incidents
        ],
        widths=(22, 22, 25, 25, 12, 12, 27, 35),
        numeric_from=8,
    )
