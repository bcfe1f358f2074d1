"""Access decorators for staff pages: console readers, console writers, assistants."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for

from portal.sessions import current_staff
from portal.staff.models import StaffUser

F = TypeVar("F", bound=Callable[..., Any])


def _login_redirect() -> Any:
    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))


def console_reader(view: F) -> F:
    """Owners and staff (OVERVIEW or SYSTEM); assistants are refused with 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_staff()
        if user is None:
            return _login_redirect()
        if not user.can_read_console:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def console_writer(view: F) -> F:
    """Owners and SYSTEM staff only: OVERVIEW staff get 403 even if they craft the request."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_staff()
        if user is None:
            return _login_redirect()
        if not (user.can_read_console and user.can_write):
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def owner_only(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_staff()
        if user is None:
            return _login_redirect()
        if user.role != "owner":
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def assistant_only(view: F) -> F:
    """Retailer assistants bound to a partner; merchant users are refused with 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_staff()
        if user is None:
            return _login_redirect()
        if not user.is_assistant:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def staff_actor(user: StaffUser) -> str:
    """How a staff user is named in audit entries and created_by/modified_by."""
    return user.email
