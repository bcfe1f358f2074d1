"""Token authentication for the JSON API: 401 without a live token, 403 without permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from portal.errors import json_error
from portal.staff.models import ApiToken, Permission
from portal.staff.tokens import authenticate, token_from_header

RANK = {str(Permission.OVERVIEW): 1, str(Permission.SYSTEM): 2}


def current_token() -> ApiToken:
    """The token of the current request (set by `require_token`)."""
    return g.api_token


def require_token(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Answer 401 for a missing or bad token and 403 when its permission is too low."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = authenticate(token_from_header(request.headers.get("Authorization")))
            if token is None:
                return json_error("Missing or invalid API token", 401)
            if RANK.get(token.permission, 0) < RANK[str(permission)]:
                return json_error("This token does not have permission to do that", 403)
            g.api_token = token
            return view(*args, **kwargs)

        return wrapped

    return decorator
