import io
import json

import pytest
from django.core.management import CommandError, call_command

FIXTURE_WEEK = ["--agreement", "sochi-2018", "--start", "2019-04-01", "--end", "2019-04-07"]


def build_week(*args, **options):
    """build_report for the fixture week of the Sochi memorandum, with more arguments."""
    call_command("build_report", *FIXTURE_WEEK, *args, **options)


def test_it_writes_the_html_report_for_the_fixture_week(fixture_week, tmp_path):
    output = tmp_path / "report.html"
    stderr = io.StringIO()
    build_week("--format", "html", "--output", str(output), stderr=stderr)

    html = output.read_text()
    assert (
        html.startswith("<!DOCTYPE html>")
        and "Sochi memorandum: violations 01 Apr 2019 to 07 Apr 2019" in html
    )
    assert html.count("data:image/png;base64,") == 2
    assert "Abu Khaled" not in html
    assert "5 violations in 4 incidents" in stderr.getvalue()


def test_it_prints_json_and_csv(fixture_week):
    out = io.StringIO()
    build_week("--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert {row["label"]: row["violations"] for row in data["by_clause"]} == {
        "§1 Ceasefire": 3,
        "§2 Demilitarized zone": 2,
    }

    out = io.StringIO()
    build_week("--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "section,key,label,metric,value"
    assert "totals,,All,violations,5" in lines


def test_the_confidential_flag_is_explicit(fixture_week):
    out = io.StringIO()
    build_week("--format", "json", "--include-confidential", stdout=out)
    assert "Witness Abu Khaled" in out.getvalue()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--agreement", "nowhere"], "No agreement 'nowhere'"),
        (["--agreement", "sochi-2018", "--end", "2019-03-01"], "--end must not come before --start"),
        (["--agreement", "sochi-2018", "--timezone", "Mars/Olympus"], "Unknown time zone"),
    ],
)
def test_it_explains_bad_arguments(fixture_week, args, message):
    base = {"--start": "2019-04-01", "--end": "2019-04-07"}
    merged = dict(zip(args[::2], args[1::2]))
    argv = [item for key, value in {**base, **merged}.items() for item in (key, value)]
    with pytest.raises(CommandError, match=message):
        call_command("build_report", *argv)


def test_run_reports_command_is_idempotent(fixture_week):
    from django.core import mail

    from tests.factories import ReportSubscriptionFactory

    ReportSubscriptionFactory(agreement=fixture_week["agreement"])
    first, second = io.StringIO(), io.StringIO()
    call_command("run_reports", "--at", "2019-04-08T06:00:00", stdout=first)
    call_command("run_reports", "--at", "2019-04-08T07:00:00", stdout=second)
    assert "built: 1" in first.getvalue() and "sent: 1" in first.getvalue()
    assert "built: 0" in second.getvalue() and len(mail.outbox) == 1


def test_it_writes_a_pdf_with_arabic_place_names(fixture_week, tmp_path):
    from incidents.models import Incident

    Incident.objects.filter(pk=fixture_week["incidents"]["saraqib"].pk).update(place_name="سراقب")
    output = tmp_path / "report.pdf"
    build_week("--format", "pdf", "--output", str(output), stderr=io.StringIO())
    pdf = output.read_bytes()
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf and b"DejaVu" in pdf

    with pytest.raises(CommandError, match="A PDF needs --output"):
        build_week("--format", "pdf", stdout=io.StringIO())
