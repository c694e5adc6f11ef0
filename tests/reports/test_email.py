import datetime as dt
import json
from email.mime.base import MIMEBase

import pytest
from django.core import mail

from core.roles import ANALYST, VIEWER
from reports import services
from tests.factories import ReportSubscriptionFactory, UserFactory

UTC = dt.UTC
MONDAY = dt.datetime(2019, 4, 8, 6, 5, tzinfo=UTC)


def sent_email(subscription):
    services.run_due_reports(now=MONDAY)
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_the_email_has_the_report_as_html_with_inline_charts_and_the_chosen_attachments(fixture_week):
    message = sent_email(
        ReportSubscriptionFactory(agreement=fixture_week["agreement"], formats=["csv", "json", "pdf"])
    )

    assert message.subject == "[Compliance report] Sochi memorandum: violations 01 Apr 2019 to 07 Apr 2019"
    assert message.bcc == ["monitor@example.org", "analyst@example.org"] and message.to == []
    assert "Violations: 5 (previous period 1, change +4)" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'src="cid:timeline@report"' in html and 'src="cid:map@report"' in html
    assert "§1 Ceasefire" in html and "Government of Syria" in html

    raw = message.message()
    assert raw.get_content_subtype() == "related"
    parts = {part.get("Content-ID"): part for part in raw.walk() if part.get("Content-ID")}
    assert set(parts) == {"<timeline@report>", "<map@report>"}
    assert all(part.get_payload(decode=True).startswith(b"\x89PNG") for part in parts.values())

    files = {a[0]: (a[1], a[2]) for a in message.attachments if not isinstance(a, MIMEBase)}
    stem = "sochi-2018-2019-04-01-2019-04-07"
    assert set(files) == {f"{stem}.csv", f"{stem}.json", f"{stem}.pdf"}
    assert files[f"{stem}.pdf"][0].startswith(b"%PDF-") and files[f"{stem}.pdf"][1] == "application/pdf"
    assert json.loads(files["sochi-2018-2019-04-01-2019-04-07.json"][0])["totals"]["violations"] == 5
    assert files["sochi-2018-2019-04-01-2019-04-07.csv"][1] == "text/csv"


def test_the_email_leaves_out_confidential_sources_by_default(fixture_week):
    message = sent_email(
        ReportSubscriptionFactory(agreement=fixture_week["agreement"], formats=["html", "csv", "json"])
    )

    assert "SOHR bulletin" in message.alternatives[0][0]
    assert b"Abu Khaled" not in message.message().as_bytes()


def test_confidential_sources_go_out_only_while_the_approver_may_see_them(fixture_week):
    analyst = UserFactory(username="approver", roles=[ANALYST])
    subscription = ReportSubscriptionFactory(
        agreement=fixture_week["agreement"], include_confidential=True, confidential_approved_by=analyst
    )
    assert subscription.confidential_allowed
    message = sent_email(subscription)
    assert "Witness Abu Khaled" in message.alternatives[0][0]


@pytest.mark.parametrize("approver", [None, "viewer"])
def test_confidential_is_ignored_without_an_approver_who_has_the_permission(fixture_week, approver):
    user = UserFactory(username="someone", roles=[VIEWER]) if approver else None
    subscription = ReportSubscriptionFactory(
        agreement=fixture_week["agreement"],
        include_confidential=True,
        confidential_approved_by=user,
        formats=["html", "csv", "json"],
    )
    message = sent_email(subscription)
    assert b"Abu Khaled" not in message.message().as_bytes()
    assert subscription.reports.get().include_confidential is False
