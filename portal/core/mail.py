"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise .eml files in MAIL_DIR."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from portal.core.time import utcnow


def send_mail(
    to: str,
    subject: str,
    body: str,
    *,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> EmailMessage:
    """Send one message; attachments are (filename, mime type, bytes)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for filename, mime, data in attachments or []:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    server = current_app.config.get("MAIL_SERVER")
    if server:
        with smtplib.SMTP(server, int(current_app.config["MAIL_PORT"]), timeout=30) as smtp:
            smtp.send_message(message)
    else:
        folder = Path(current_app.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        (folder / f"{stamp}.eml").write_bytes(bytes(message))
    return message
