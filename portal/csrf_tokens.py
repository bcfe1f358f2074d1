"""The signed CSRF token of a session's forms: signed once per session secret and kept.

Why: Flask-WTF signs the session's CSRF secret afresh on every request that shows a
form (a timestamp and an HMAC, and its config lookups on each of a console page's four
forms: about 3 % of a list page's CPU). With WTF_CSRF_TIME_LIMIT None (config.py) a
signed token never expires, so one signed a few minutes ago is exactly as valid as a
new one. Tokens are kept per session secret, so a session only ever receives the token
of its own secret (which the token shows anyway: itsdangerous signs, it does not
encrypt), and validation is Flask-WTF's, unchanged. With a time limit set, every
request signs its own token as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Lock

from flask import Flask, current_app, g, session
from flask_wtf.csrf import generate_csrf

from portal.core.merchant_memory import app_memory

TTL_SECONDS = 300.0
MAX_ENTRIES = 4096
EXTENSION = "signed_csrf_tokens"


class SignedTokens:
    """Session secret -> signed token, each for TTL_SECONDS (locked: threaded dev server)."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = Lock()

    def get(self, secret: str) -> str | None:
        kept = self._tokens.get(secret)
        if kept is None or kept[1] <= self.clock():
            return None
        return kept[0]

    def keep(self, secret: str, token: str) -> None:
        with self._lock:
            if len(self._tokens) >= MAX_ENTRIES:
                self._tokens.clear()  # rare: a miss only costs one signature
            self._tokens[secret] = (token, self.clock() + self.ttl)

    def __len__(self) -> int:
        return len(self._tokens)


def csrf_token() -> str:
    """This session's signed CSRF token, as Flask-WTF's `generate_csrf` gives it."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is not None:
        return str(token)
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return str(generate_csrf())
    memory = signed_tokens()
    secret = session.get(field)
    token = memory.get(secret) if isinstance(secret, str) else None
    if token is None:
        token = str(generate_csrf())  # creates the session's secret when it has none
        memory.keep(session[field], token)
    setattr(g, field, token)  # what Flask-WTF's own calls in this request will return
    return token


def signed_tokens() -> SignedTokens:
    """This app's kept tokens."""
    return app_memory(EXTENSION, SignedTokens)


def csrf_context() -> dict[str, Callable[[], str]]:
    """Context processor: replaces the `csrf_token` that CSRFProtect's one provides."""
    return {"csrf_token": csrf_token}


def init_csrf_tokens(app: Flask) -> None:
    """Templates' `csrf_token()` is `csrf_token` above (call after `csrf.init_app`)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(csrf_context)
