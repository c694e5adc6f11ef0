import io

from django.core.mail import EmailMultiAlternatives

from core.mail import EmailBackend


def test_the_console_backend_prints_attachments_as_a_line_not_as_base64():
    stream = io.StringIO()
    message = EmailMultiAlternatives("Weekly report", "Five violations.", "t@localhost", ["a@example.org"])
    message.attach_alternative("<p>Five violations.</p>", "text/html")
    message.attach("report.pdf", b"%PDF-1.7" + bytes(range(256)) * 400, "application/pdf")

    EmailBackend(stream=stream).send_messages([message])

    out = stream.getvalue()
    assert "Subject: Weekly report" in out and "Five violations." in out
    assert "[attachment: report.pdf, application/pdf, 102,408 bytes]" in out
    assert "base64" not in out and len(out.splitlines()) < 15
