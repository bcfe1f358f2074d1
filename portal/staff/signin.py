"""Checking staff credentials with lock-out after repeated failures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from portal.core.errors import ServiceError
from portal.core.time import as_utc, utcnow
from portal.extensions import db
from portal.staff.accounts import hash_password
from portal.staff.models import StaffUser

MAX_FAILURES = 5
LOCK_MINUTES = 15
BAD_CREDENTIALS = "The email or password is not right."
LOCKED = "Too many failed attempts. Try again in a few minutes."

# Compared against when the email is unknown, so both answers take the same time.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    return _DUMMY_HASH


def authenticate_staff(email: str, password: str) -> StaffUser:
    """The staff user for these credentials, or a ServiceError that says nothing more.

    Unknown email and wrong password give the same answer in the same time. After
    MAX_FAILURES wrong passwords the account is locked for LOCK_MINUTES, even for the
    right password; the failure count is state the caller must commit (`persist`).
    """
    address = (email or "").strip().lower()
    user = None
    if address:
        user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == address))
    if user is None or not user.is_active:
        check_password_hash(_dummy_hash(), password or "")
        raise ServiceError("bad_credentials", BAD_CREDENTIALS, status=401)
    now = utcnow()
    locked_until = as_utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        retry = int((locked_until - now).total_seconds()) + 1
        raise ServiceError("locked", LOCKED, status=429, retry_after=retry)
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        db.session.flush()
        raise ServiceError("bad_credentials", BAD_CREDENTIALS, status=401, persist=True)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return user


def end_staff_sessions(user: StaffUser) -> None:
    """Every session of this user ends: the version in their cookies no longer matches."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()
