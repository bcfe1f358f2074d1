"""Security headers on every response, strict enough for a CSP without unsafe-eval."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Response, g, request

from portal.core.errors import ServiceError

# Scripts run only when they carry this response's nonce, or are loaded by one that does
# ('strict-dynamic': the htmx fallback's local copy). Hosts are not listed: an injected
# <script src> from any host, the CDN that serves htmx included, does not run.
CSP_TEMPLATE = "; ".join(
    [
        "default-src 'self'",
        "script-src 'nonce-{nonce}' 'strict-dynamic'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def csp_nonce() -> str:
    """This response's script nonce (templates write it on every <script>)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def content_security_policy() -> str:
    return CSP_TEMPLATE.format(nonce=csp_nonce())


# Also the message customer fields give for it (portal/customers/fields.py).
NUL_MESSAGE = "Remove the invalid characters."


def _has_nul(value: Any) -> bool:
    """True when a NUL byte hides anywhere in a (JSON) value."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul_bytes() -> None:
    """No real input holds a NUL byte, and PostgreSQL text cannot store one: refuse early.

    Checked once for every request, so no query, filter or download stream meets one.
    """
    # Cache the raw body first: views that read it after us (get_data) still see it.
    request.get_data(cache=True)
    fields = [*request.args.lists(), *request.form.lists()]
    suspect = any(_has_nul(key) or _has_nul(values) for key, values in fields)
    if not suspect and request.is_json:
        suspect = _has_nul(request.get_json(silent=True))
    if suspect:
        raise ServiceError("invalid_characters", NUL_MESSAGE, status=400)


def init_security(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("PORTAL_ENV") == "production":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
