"""Reading what the console SMS backend and the file mail backend wrote."""

from __future__ import annotations

import email
import email.policy
import json
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


class SmsOutbox:
    """The JSONL file SMS_OUTBOX: one {"to", "text", "sent_at"} object per message sent."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Every message sent so far, oldest first; only those to `to` when given."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        found = [json.loads(line) for line in lines if line.strip()]
        return [m for m in found if to is None or m["to"] == to]

    def __len__(self) -> int:
        return len(self.messages())

    def last(self, to: str | None = None) -> dict[str, Any]:
        """The newest message (to `to`), or AssertionError when there is none."""
        found = self.messages(to)
        assert found, f"no SMS sent{f' to {to}' if to else ''}; outbox: {self.path}"
        return found[-1]

    def last_code(self, to: str) -> str:
        """The 6-digit code in the newest message to `to`."""
        text = self.last(to)["text"]
        match = CODE.search(text)
        assert match, f"no 6-digit code in the last SMS to {to}: {text!r}"
        return match.group(1)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class MailFolder:
    """MAIL_DIR: one .eml file per message when no MAIL_SERVER is set."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def messages(self) -> list[EmailMessage]:
        """Every message written so far, oldest first."""
        if not self.path.exists():
            return []
        found = []
        for file in sorted(self.path.glob("*.eml")):
            message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            found.append(message)
        return found
