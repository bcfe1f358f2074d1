"""SMS backends behind one small interface: the console outbox and an HTTP gateway."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from flask import current_app

from portal.core.time import utcnow
from portal.otp.sms_message import SmsBackend, SmsError, SmsMessage

__all__ = ["SmsBackend", "SmsError", "SmsMessage", "get_backend", "send_sms"]

log = logging.getLogger(__name__)
_outbox_lock = threading.Lock()


class ConsoleBackend:
    """Development and tests: one JSON line per message in SMS_OUTBOX, plus a log line."""

    def __init__(self, outbox: str) -> None:
        self.outbox = Path(outbox)

    def send(self, message: SmsMessage) -> None:
        line = json.dumps(
            {"to": message.to, "text": message.text, "sent_at": utcnow().isoformat()},
            ensure_ascii=False,
        )
        self.outbox.parent.mkdir(parents=True, exist_ok=True)
        with _outbox_lock, self.outbox.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        # The log names the recipient only: the code lives in the outbox file alone.
        log.info("SMS to %s written to %s", message.to, self.outbox)


def get_backend() -> SmsBackend:
    name = current_app.config.get("SMS_BACKEND", "console")
    if name == "console":
        return ConsoleBackend(current_app.config["SMS_OUTBOX"])
    if name == "http":
        from portal.otp.gateway import HttpGatewayBackend

        return HttpGatewayBackend(
            url=current_app.config["SMS_GATEWAY_URL"],
            token=current_app.config.get("SMS_GATEWAY_TOKEN") or "",
        )
    raise SmsError(f"unknown SMS_BACKEND {name!r}")


def send_sms(to: str, text: str) -> None:
    """Send through the configured backend; raises SmsError when it fails."""
    try:
        get_backend().send(SmsMessage(to=to, text=text))
    except SmsError:
        raise
    except Exception as exc:  # any backend failure becomes one clear error
        log.warning("SMS to %s failed: %s", to, type(exc).__name__)
        raise SmsError(str(exc)) from exc
