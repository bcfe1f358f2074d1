"""The signed CSRF token of a session's forms: signed once per session secret and kept a
short while, far inside the token's lifetime.

Why: Flask-WTF signs the session's CSRF secret afresh on every request that shows a form
(a timestamp and an HMAC, and its config lookups on each of a console page's four forms:
about 3 % of a list page's CPU). The lifetime of a token (WTF_CSRF_TIME_LIMIT, config.py)
is chosen on security grounds alone; a token kept here is at most `keep_seconds()` old
when a page shows it (a tenth of the lifetime, at most five minutes), so it is accepted
for at least nine tenths of that lifetime, like a fresh one. Tokens are kept per session
secret, so a session only ever receives the token of its own secret (which the token
shows anyway: itsdangerous signs, it does not encrypt), and validation is Flask-WTF's,
unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from portal.core.memory import Kept, app_memory
from portal.security import API_PREFIXES

TTL_SECONDS = 300.0
MAX_ENTRIES = 4096
EXTENSION = "signed_csrf_tokens"


class SignedTokens(Kept):
    """Session secret -> signed token, each for `ttl` seconds."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        super().__init__(maxsize=MAX_ENTRIES, ttl=ttl, clock=clock)

    def keep(self, secret: str, token: str) -> None:
        self.put(secret, token)


def csrf_token() -> str:
    """This session's signed CSRF token, as Flask-WTF's `generate_csrf` gives it."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is not None:
        # Signed this request (by a form's hidden field, or handed over before it):
        # keep it for the session's next pages if nothing is kept yet.
        secret = session.get(field)
        if isinstance(secret, str) and signed_tokens().get(secret) is None:
            signed_tokens().keep(secret, str(token))
        return str(token)
    memory = signed_tokens()
    secret = session.get(field)
    token = memory.get(secret) if isinstance(secret, str) else None
    if token is None:
        token = str(generate_csrf())  # creates the session's secret when it has none
        memory.keep(session[field], token)
    setattr(g, field, token)  # what Flask-WTF's own calls in this request will return
    return token


def keep_seconds() -> float:
    """How long a signed token is reused: a tenth of its lifetime, at most TTL_SECONDS."""
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT")
    return TTL_SECONDS if limit is None else min(TTL_SECONDS, float(limit) / 10)


def signed_tokens() -> SignedTokens:
    """This app's kept tokens."""
    return app_memory(EXTENSION, lambda: SignedTokens(keep_seconds()))


def csrf_context() -> dict[str, Callable[[], str]]:
    """Context processor: replaces the `csrf_token` that CSRFProtect's one provides."""
    return {"csrf_token": csrf_token}


def hand_over_kept_token() -> None:
    """Before a page builds its forms: give Flask-WTF the session's kept token, so a form's
    hidden field reuses it instead of signing anew (static files and APIs are skipped)."""
    if request.endpoint in (None, "static") or request.path.startswith(API_PREFIXES):
        return
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    secret = session.get(field)
    token = signed_tokens().get(secret) if isinstance(secret, str) else None
    if token is not None:
        setattr(g, field, token)


def init_csrf_tokens(app: Flask) -> None:
    """Templates' `csrf_token()` is `csrf_token` above (call after `csrf.init_app`), and
    forms reuse the kept token."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.before_request(hand_over_kept_token)
    app.context_processor(csrf_context)
