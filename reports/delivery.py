"""Sending a stored report by email through Django's configured email backend."""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .render import MAP_CID, TIMELINE_CID


def plain_text(data):
    """The text/plain part, for mail clients that do not show HTML."""
    lines = [
        data["title"],
        "",
        f"Period: {data['period']['start']} to {data['period']['end']} ({data['period']['timezone']})",
    ]
    for name, t in data["trend"].items():
        lines.append(
            f"{name.capitalize()}: {t['current']} (previous period {t['previous']}, change {t['change']:+d})"
        )
    if data["by_party"]:
        lines += ["", "By party:"]
        lines += [f"  {row['label']}: {row['violations']}" for row in data["by_party"] if row["violations"]]
    missed = data["deadlines"]["missed_in_period"]
    if missed:
        lines += ["", "Deadlines missed in the period:"]
        lines += [f"  {d['due_date']} {d['description']}" for d in missed]
    lines += ["", "The full report, with charts and the map, is the HTML version of this email."]
    return "\n".join(lines) + "\n"


def build_message(report, recipients, formats, connection=None):
    message = EmailMultiAlternatives(
        subject=f"[Compliance report] {report.title}",
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
