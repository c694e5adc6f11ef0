"""Sending a stored report by email through Django's configured email backend."""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from .formatting import day, number, signed
from .render import MAP_CID, TIMELINE_CID, trend_names


def plain_text(data: dict) -> str:
    """The text/plain part, for mail clients that do not show HTML. In the active language."""
    period = data["period"]
    lines = [
        data["title"],
        "",
        _("Period: %(start)s to %(end)s (%(timezone)s)")
        % {"start": day(period["start"]), "end": day(period["end"]), "timezone": period["timezone"]},
    ]
    names = trend_names()
    for name, t in data["trend"].items():
        lines.append(
            _("%(name)s: %(current)s (previous period %(previous)s, change %(change)s)")
            % {
                "name": names[name],
                "current": number(t["current"]),
                "previous": number(t["previous"]),
                "change": signed(t["change"]),
            }
        )
    if data["by_party"]:
        lines += ["", _("By party:")]
        lines += [
            f"  {row['label']}: {number(row['violations'])}" for row in data["by_party"] if row["violations"]
        ]
    missed = data["deadlines"]["missed_in_period"]
    if missed:
        lines += ["", _("Deadlines missed in the period:")]
        lines += [f"  {day(d['due_date'])} {d['description']}" for d in missed]
    lines += ["", _("The full report, with charts and the map, is the HTML version of this email.")]
    return "\n".join(lines) + "\n"


def subject(report) -> str:
    """The email's subject, in the active language."""
    return _("[Compliance report] %(title)s") % {"title": report.title}


def build_message(report, recipients, formats, connection=None) -> EmailMultiAlternatives:
    """The report's email, written in the report's language (its subscription's)."""
    with translation.override(report.language):
        return _message(report, recipients, formats, connection)


def _message(report, recipients, formats, connection):
    message = EmailMultiAlternatives(
        subject=subject(report),
        body=plain_text(report.data),
        from_email=settings.DEFAULT_FROM_EMAIL,
        # Bcc: recipients of one subscription may belong to different organisations.
        bcc=list(recipients),
        connection=connection,
    )
    message.attach_alternative(report.email_html, "text/html")
    # "related" lets the HTML part refer to the charts by Content-ID.
    message.mixed_subtype = "related"
    for cid, png, name in (
        (TIMELINE_CID, report.timeline_png, "timeline.png"),
        (MAP_CID, report.map_png, "map.png"),
    ):
        image = MIMEImage(bytes(png), "png")
        image.add_header("Content-ID", f"<{cid}>")
        image.add_header("Content-Disposition", "inline", filename=name)
        message.attach(image)
    for fmt in formats:
        body, content_type, filename = report.content(fmt)
        message.attach(filename, body, content_type.split(";")[0])
    return message


def send_report_email(report, recipients, formats, connection=None):
    build_message(report, recipients, formats, connection=connection).send(fail_silently=False)
