"""Security at the edge: headers on every response (a CSP without unsafe-eval), input
the app cannot use refused, cross-site state changes refused, the proxy chain trusted
only as far as configured, and absolute URLs from BASE_URL."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import NotFound, ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, ValidationError

from portal.core.errors import ServiceError
from portal.core.inputs import control_in_path, loads_json, parse_id, refuse_unstorable

# Scripts run only when they carry this response's nonce, or are loaded by one that does
# ('strict-dynamic': the htmx copy, CDN or local, that static/js/htmx-loader.js inserts).
# Hosts are not listed: an injected <script src> from any host, the CDN that serves htmx
# included, does not run.
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


API_PREFIXES = ("/api/", "/partner/api/", "/v1/")
FORM_EXPECTED = "Send the form fields as a form, not as JSON."


def refuse_unusable_input() -> None:
    """Refuse, before any view runs, input that no route or column can take.

    A path with control characters matches no page (404; they would also forge log
    lines). A page (not an API path) answers 400 to a JSON body: its forms are forms.
    Text holding NUL, other control characters or a lone surrogate, in the query
    string, the form or a JSON body, answers 400 naming the field; JSON nested deeper
    than the limit answers 400 (portal/core/inputs.py). Checked once for every request,
    so no query, filter or download stream meets such text.
    """
    if control_in_path(request.path):
        raise NotFound()
    # Cache the raw body first: views that read it after us (get_data) still see it.
    request.get_data(cache=True)
    fields: list[tuple[str, Any]] = [*request.args.lists(), *request.form.lists()]
    if request.is_json:
        body = request.get_json(silent=True)
        if not request.path.startswith(API_PREFIXES):
            # Pages take forms. Flask-WTF would read a JSON body as form data, where an
            # array fails to wrap and a nested value reaches code that expects text.
            raise ServiceError("form_expected", FORM_EXPECTED, status=400)
        fields += list(body.items()) if isinstance(body, dict) else [("body", body)]
    refuse_unstorable(fields)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies through loads_json (nesting bounded)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_json(s)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: plain ASCII digits of a 32-bit id, else no match (404).

    Werkzeug's own matches any Unicode decimal digit (Arabic-Indic one reads as 1).
    """

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def init_edges(app: Flask) -> None:
    """Before any blueprint: the id converter and bounded JSON."""
    app.url_map.converters["int"] = IdConverter
    app.json = BoundedJSONProvider(app)


# Requests that change state and come with the browser's cookies: a cross-site one is
# refused even with a valid CSRF token (a token can leak; the browser's word cannot be
# forged by a page). Token-authenticated API calls carry no cookies and are not checked.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STORAGE_RETRY_AFTER = 30  # seconds a client waits while Redis is down


def public_url(path: str = "/") -> str:
    """An absolute URL of the portal: BASE_URL when set (production requires it), else the
    address the request came to (development and tests)."""
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")
    return base + path


def refuse_cross_site() -> None:
    """403 for a state-changing browser request another site started. Browsers that send
    Sec-Fetch-Site are believed; for older ones an Origin that is not ours is refused.
    "null" decides nothing: browsers send it for a same-origin post from a page with
    Referrer-Policy no-referrer (the edit-link pages), and the CSRF token still applies."""
    if request.method not in UNSAFE_METHODS or "Authorization" in request.headers:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site in ("cross-site", "same-site"):
            abort(403)
        return
    origin = request.headers.get("Origin")
    if origin not in (None, "null") and origin.rstrip("/") != _own_origin():
        abort(403)


def refuse_writes_without_limits() -> None:
    """Writes fail closed when the shared limit storage (Redis) cannot be reached: codes
    are never sent, nor sign-ins tried, unguarded. Reads pass (the limiter swallowed the
    error for them). One PING per write, only when limits live in Redis."""
    if request.method not in UNSAFE_METHODS or not current_app.config.get("RATELIMIT_ENABLED"):
        return
    from portal.extensions import limiter

    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not uri.startswith("memory") and not limiter.storage.check():
        current_app.logger.warning("rate-limit storage unreachable: %r refused", request.path)
        raise ServiceUnavailable(retry_after=STORAGE_RETRY_AFTER)


def _own_origin() -> str:
    base = current_app.config.get("BASE_URL")
    if base:
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}"
    return f"{request.scheme}://{request.host}"


def init_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, read the client's address and scheme from the
    headers they set (Werkzeug's ProxyFix); with none, the headers are ignored."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def init_security(app: Flask) -> None:
    init_proxies(app)
    app.before_request(refuse_unusable_input)
    app.before_request(refuse_cross_site)
    app.before_request(refuse_writes_without_limits)
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
