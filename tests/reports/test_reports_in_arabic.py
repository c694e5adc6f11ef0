"""A report in Arabic: its text, names, direction, charts, email and PDF; English stays English."""

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from PIL import Image

from reports import charts, fonts, services
from reports.choices import ReportFormat
from tests.factories import ReportSubscriptionFactory
from tests.reports import arabic
from tests.reports.conftest import WEEK_END, WEEK_START
from tests.reports.test_dashboard_browser import SCREENSHOTS

MONDAY = dt.datetime(2019, 4, 8, 6, 5, tzinfo=dt.UTC)
DAMASCUS = zoneinfo.ZoneInfo("Asia/Damascus")
# Words of the report's own interface in English that must not survive into the Arabic one.
ENGLISH_INTERFACE = re.compile(
    r"\b(Period|Violations|Incidents|Casualties|Deadlines|Killed|Injured|Summary|Map|Areas|By clause|"
    r"Unknown perpetrator|Most serious|Previous|Change|Due next|None)\b"
)
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


@pytest.fixture
def arabic_week(fixture_week):
    return arabic.name_in_arabic(fixture_week)


def build(week, language):
    return services.build_report_content(
        agreement=week["agreement"],
        start=WEEK_START,
        end=WEEK_END,
        tz=DAMASCUS,
        now=dt.datetime(2019, 4, 10, 9, 0, tzinfo=dt.UTC),
        pdf=True,
        language=language,
    )


def test_a_report_in_arabic_is_written_in_arabic_with_the_arabic_names(arabic_week):
    content = build(arabic_week, "ar")
    data, html = content["data"], content["html"]

    assert data["title"] == f"{arabic.AGREEMENT}: الانتهاكات من 01 نيسان 2019 إلى 07 نيسان 2019"
    assert [row["label"] for row in data["by_clause"]] == [f"§1 {arabic.CEASEFIRE}", f"§2 {arabic.ZONE}"]
    assert {row["label"] for row in data["by_party"]} == {arabic.GOVERNMENT, arabic.HTS, "جهة منفذة مجهولة"}
    assert data["deadlines"]["missed_in_period"][0]["description"] == arabic.WEAPONS_OUT
    assert data["areas"][0]["name"] == arabic.ZONE
    assert {"سراقب", "أريحا"} <= {incident["place"] for incident in data["most_serious"]}  # the gazetteer's
    assert '<html lang="ar" dir="rtl">' in html
    assert "الضحايا" in html and "أخطر الحوادث" in html and "7 أيام" in html
    # Apart from data (sources' names, place names in the fixture, codes), no English is left.
    assert ENGLISH_INTERFACE.findall(re.sub(r"<[^>]+>", " ", html)) == []


def test_a_report_in_english_stays_english_even_where_arabic_names_exist(arabic_week):
    content = build(arabic_week, "en")

    assert content["title"] == "Sochi memorandum: violations 01 Apr 2019 to 07 Apr 2019"
    assert '<html lang="en" dir="ltr">' in content["html"] and "Casualties" in content["html"]
    assert "§1 Ceasefire" in content["html"] and arabic.CEASEFIRE not in content["html"]


def test_charts_in_arabic_use_the_shipped_arabic_font_and_draw_their_labels(arabic_week):
    fonts.register_with_matplotlib()
    found = font_manager.findfont(FontProperties(family=fonts.ARABIC), fallback_to_default=False)
    assert Path(found).resolve() == fonts.amiri().resolve()

    english, in_arabic = build(arabic_week, "en"), build(arabic_week, "ar")
    for key in ("timeline_png", "map_png"):
        image = Image.open(io.BytesIO(in_arabic[key]))
        assert image.format == "PNG" and image.size[0] >= 600
        assert in_arabic[key] != english[key]  # the same data, other words
    with translation.override("ar"):
        empty = charts.timeline_png({"days": ["2019-04-01"], "series": {}})
    assert Image.open(io.BytesIO(empty)).format == "PNG"


def _tool(name):
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {name} (poppler-utils) is missing")
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils)")
    return path


def _lines(text):
    return [" ".join(line.translate(BIDI_CONTROLS).split()) for line in text.splitlines() if line.strip()]


def _no_spaces(text):
    return "".join(text.split())


def test_a_pdf_in_arabic_is_shaped_so_its_text_extracts_as_written(arabic_week, tmp_path):
    pdftotext, pdftoppm = _tool("pdftotext"), _tool("pdftoppm")
    content = build(arabic_week, "ar")
    pdf = tmp_path / "report-ar.pdf"
    pdf.write_bytes(content["pdf"])

    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = _lines(text)
    # Shaped glyphs (joined forms, lam-alef ligatures) carry their letters back: the text extracts as
    # the letters that were written, in logical order, never as presentation forms.
    assert not PRESENTATION_FORMS.search(text)
    assert "أخطر الحوادث" in lines and "الضحايا" in lines and arabic.HTS in lines
    # pdftotext guesses spaces from the gaps between glyphs, and finds one after a letter that does
    # not join the next (ر in "السورية") or beside digits ("§1 وقف", the title's dates): everything
    # else must match exactly.
    for label in (content["title"], f"§1 {arabic.CEASEFIRE}", f"§2 {arabic.ZONE}", arabic.GOVERNMENT):
        assert any(_no_spaces(label) == _no_spaces(line) for line in lines), label

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = SCREENSHOTS / "report-ar-pdf"
    subprocess.run([pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(stem)], check=True)
    [page] = SCREENSHOTS.glob("report-ar-pdf-*1.png")
    print(f"\nPDF page in Arabic: {page}")
    assert Image.open(page).size[0] > 500


def test_a_stored_report_renders_its_pdf_in_its_own_language(arabic_week):
    subscription = ReportSubscriptionFactory(
        agreement=arabic_week["agreement"], language="ar", formats=["csv"]
    )
    report, _ = services.generate_report(subscription, WEEK_START, WEEK_END, now=MONDAY)
    body, content_type, _name = report.content(
        ReportFormat.PDF
    )  # not stored: rendered now, in English context
    assert report.language == "ar" and content_type == "application/pdf"
    assert b"/Lang (ar)" in body


def test_an_emailed_report_in_arabic_has_an_arabic_subject_and_a_right_to_left_body(arabic_week):
    ReportSubscriptionFactory(agreement=arabic_week["agreement"], language="ar", formats=["pdf"])
    services.run_due_reports(now=MONDAY)

    [message] = mail.outbox
    assert (
        message.subject
        == f"[تقرير الامتثال] {arabic.AGREEMENT}: الانتهاكات من 01 نيسان 2019 إلى 07 نيسان 2019"
    )
    assert "الانتهاكات: 5 (الفترة السابقة 1، التغيّر \u2066+4\u2069)" in message.body
    html, _mimetype = message.alternatives[0]
    assert '<html lang="ar" dir="rtl">' in html and arabic.GOVERNMENT in html


def test_a_subscription_in_english_stays_english(arabic_week):
    ReportSubscriptionFactory(agreement=arabic_week["agreement"], language="en")
    with translation.override("ar"):  # whoever triggers it, the subscription's language decides
        services.run_due_reports(now=MONDAY)

    [message] = mail.outbox
    assert message.subject == "[Compliance report] Sochi memorandum: violations 01 Apr 2019 to 07 Apr 2019"
    assert "Violations: 5 (previous period 1, change +4)" in message.body
    assert '<html lang="en" dir="ltr">' in message.alternatives[0][0]
