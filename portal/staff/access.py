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


def _guard(view: F, allowed: Callable[[StaffUser], bool]) -> F:
    """`view` behind one check: signed-out visitors go to the sign-in page (and come back
    after it), signed-in staff whom `allowed` refuses get 403, so every gate answers alike."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_staff()
        if user is None:
            return _login_redirect()
        if not allowed(user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def signed_in_staff(view: F) -> F:
    """Any signed-in staff member (their own account pages)."""
    return _guard(view, lambda user: True)


def console_reader(view: F) -> F:
    """Owners and staff (OVERVIEW or SYSTEM); assistants are refused with 403."""
    return _guard(view, lambda user: user.can_read_console)


def console_writer(view: F) -> F:
    """Owners and SYSTEM staff only: OVERVIEW staff get 403 even if they craft the request."""
    return _guard(view, lambda user: user.can_read_console and user.can_write)


def owner_only(view: F) -> F:
    """The merchant's owners only: staff of every permission and assistants get 403."""
    return _guard(view, lambda user: user.role == "owner")


def assistant_only(view: F) -> F:
    """Retailer assistants bound to a partner; merchant users are refused with 403."""
    return _guard(view, lambda user: user.is_assistant)


def staff_actor(user: StaffUser) -> str:
    """How a staff user is named in audit entries and created_by/modified_by."""
    return user.email
