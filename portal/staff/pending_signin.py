"""A sign-in waiting for its second factor: who gave the right password, and when.

The session holds it as a token signed and dated by itsdangerous, valid PENDING_SECONDS,
naming the account and its session version (a password reset or a deactivation in
between ends it). Nobody is signed in until the code is right: then
portal/staff/views.py finish_signin rotates the session, which drops this token too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.staff.models import StaffUser

PENDING_KEY = "staff_pending_signin"
PENDING_SECONDS = 5 * 60


@dataclass(frozen=True)
class PendingSignin:
    """What the token names: the account, its session version, where to go after, and
    when the password was given."""

    user_id: int
    version: int
    next_url: str
    started_at: datetime


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-pending-signin")


def start_pending_signin(user: StaffUser, next_url: str) -> None:
    """Remember that `user` gave the right password; the code page takes it from here."""
    payload = [user.id, user.session_version, next_url[:500], time.time()]
    session[PENDING_KEY] = _serializer().dumps(payload)


def read_pending_signin() -> PendingSignin | None:
    """The pending sign-in of this browser, or None when there is none or it is too old."""
    token = session.get(PENDING_KEY)
    if not isinstance(token, str):
        return None
    try:
        user_id, version, next_url, started = _serializer().loads(token, max_age=PENDING_SECONDS)
        return PendingSignin(
            int(user_id), int(version), str(next_url), datetime.fromtimestamp(started, UTC)
        )
    except (BadSignature, TypeError, ValueError):
        return None


def has_pending_signin() -> bool:
    """This browser gave a password for a sign-in (still valid or not)."""
    return PENDING_KEY in session


def clear_pending_signin() -> None:
    session.pop(PENDING_KEY, None)
