"""A real SMTP server (aiosmtpd) on a free port of 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from .net import LOOPBACK, free_port


class _Collector:
    """aiosmtpd handler: parse each message and wake up whoever waits for it."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else content.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.server._received(message, envelope.mail_from, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Collects messages in `.messages` (email.message.EmailMessage, newest last).

    `.envelopes` keeps (mail_from, rcpt_tos) beside each message; `wait_for(n)` blocks
    until n messages have arrived.
    """

    def __init__(self) -> None:
        self.host = LOOPBACK
        self.port = 0
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._changed = threading.Condition()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.port = free_port()
        self._controller = Controller(
            _Collector(self), hostname=self.host, port=self.port, ready_timeout=10
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self._changed:
            self.messages.clear()
            self.envelopes.clear()

    def _received(self, message: EmailMessage, mail_from: str, rcpt_tos: list[str]) -> None:
        with self._changed:
            self.messages.append(message)
            self.envelopes.append((mail_from, rcpt_tos))
            self._changed.notify_all()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; return them all, or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"expected {count} message(s) within {timeout}s, got {len(self.messages)}"
                    )
                self._changed.wait(left)
            return list(self.messages)

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
