"""A console email backend for development that prints what a message is, not its encoded bytes."""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class EmailBackend(DjangoConsoleBackend):
    """Headers, the text body, and each attachment's name, type and size (no base64 in the terminal)."""

    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            *([f"Bcc: {', '.join(message.bcc)}"] if message.bcc else []),
            f"Subject: {message.subject}",
            "",
            message.body,
        ]
        for attachment in message.attachments:
            if isinstance(attachment, tuple):
                filename, content, mimetype = attachment
                size = len(content.encode() if isinstance(content, str) else content)
            else:  # a MIMEBase part
                filename, mimetype = attachment.get_filename(), attachment.get_content_type()
                size = len(attachment.get_payload(decode=True) or b"")
            lines.append(f"[attachment: {filename}, {mimetype}, {size:,} bytes]")
        for content, mimetype in getattr(message, "alternatives", []):
            lines.append(f"[alternative: {mimetype}, {len(content):,} characters]")
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
