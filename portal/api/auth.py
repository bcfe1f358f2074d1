"""Token authentication and rate limits for the JSON API.

401 without a live token, 403 when its permission is too low (or, on document 000's
partner endpoints, when it is not bound to a partner). Limits count per token and per
customer phone; a breach answers 429 with Retry-After.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from portal.errors import json_error
from portal.extensions import limiter
from portal.staff.models import ApiToken, Permission
from portal.staff.tokens import authenticate, token_from_header

RANK = {str(Permission.OVERVIEW): 1, str(Permission.SYSTEM): 2}
RATE_PER_KEY = "300 per minute"
RATE_PER_PHONE = "10 per minute"


def current_token() -> ApiToken:
    """The token of the current request (set by `require_token`)."""
    return g.api_token


def token_sees_documents() -> bool:
    """Whether the request's token may read passport and national-id numbers (SYSTEM)."""
    from portal.customers.masking import may_see_documents

    return may_see_documents(role=None, permission=current_token().permission)


def actor() -> str:
    """How audit entries name the API caller: the token's visible prefix."""
    return f"api-token:{current_token().prefix}"


def require_token(
    permission: str, *, partner: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Answer 401 for a missing or bad token and 403 when its permission is too low.

    With `partner=True` the token must also be bound to a partner (document 000).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = authenticate(token_from_header(request.headers.get("Authorization")))
            if token is None:
                return json_error("Missing or invalid API token", 401)
            if RANK.get(token.permission, 0) < RANK[str(permission)]:
                return json_error("This token does not have permission to do that", 403)
            if partner and token.partner_id is None:
                return json_error("This endpoint needs a token bound to a partner", 403)
            g.api_token = token
            return view(*args, **kwargs)

        return wrapped

    return decorator


def token_key() -> str:
    """Rate-limit key: a digest of the presented token (the address when there is none)."""
    plain = token_from_header(request.headers.get("Authorization"))
    if not plain:
        return f"ip:{get_remote_address()}"
    return "token:" + hashlib.sha256(plain.encode()).hexdigest()[:32]


def _phone_value() -> str | None:
    data = request.get_json(silent=True) if request.is_json else None
    raw = data.get("phone") if isinstance(data, dict) else None
    raw = raw if raw is not None else request.args.get("phone")
    digits = "".join(ch for ch in str(raw or "") if ch.isdigit())
    return digits[-10:] or None


def phone_key() -> str:
    """Rate-limit key: the customer phone a request names (last ten digits)."""
    return f"phone:{_phone_value()}"


def _token_limit() -> str:
    return current_app.config.get("API_RATELIMIT_PER_TOKEN", RATE_PER_KEY)


def _phone_limit() -> str:
    return current_app.config.get("API_RATELIMIT_PER_PHONE", RATE_PER_PHONE)


# Applied to whole blueprints (per token) and to endpoints that send codes (per phone).
per_token = limiter.shared_limit(_token_limit, scope="api-token", key_func=token_key)
per_phone = limiter.shared_limit(
    _phone_limit,
    scope="api-phone",
    key_func=phone_key,
    exempt_when=lambda: _phone_value() is None,
    override_defaults=False,  # the blueprint's per-token limit still applies
)
