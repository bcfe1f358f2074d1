"""Security headers on every response, strict enough for a CSP without unsafe-eval."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from portal.core.errors import ServiceError

HTMX_CDN_HOST = "https://cdn.jsdelivr.net"

CSP = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {HTMX_CDN_HOST}",
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

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
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
