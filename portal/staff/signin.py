"""Checking staff credentials: guessing slows down, nobody is locked out, nothing tells
which emails have an account.

Why not a lock: five wrong passwords used to lock the account for 15 minutes, which
told an attacker the email was real (a 429 only real accounts got) and let anyone lock
the owner out. Now:
- every answer to a refused sign-in is the same 401, known email or not, and takes the
  same time (the unknown email is checked against a dummy hash);
- after FREE_FAILURES wrong passwords the account makes new devices wait a rising delay
  between tries (tries inside it are refused unchecked, so guessing cannot go faster);
- a device that signed in to the account before (a signed cookie naming the account)
  skips the wait: the owner at their own desk is never held back;
- the account's owner is mailed when the guessing starts;
- the per-IP and per-email request limits (portal/staff/views.py) do not look at whether
  the account exists either.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from portal.core.errors import ServiceError
from portal.core.mail import send_mail
from portal.core.time import as_utc, utcnow
from portal.extensions import db
from portal.jobs.after_commit import enqueue_after_commit
from portal.staff.accounts import hash_password
from portal.staff.models import StaffUser

FREE_FAILURES = 5
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 15 * 60
BAD_CREDENTIALS = "The email or password is not right."
DEVICE_COOKIE = "portal_device"
DEVICE_DAYS = 365

# Compared against when the email is unknown, so both answers take the same time.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    return _DUMMY_HASH


def dummy_hash() -> str:
    """A real scrypt hash to check a password against when there is no account (the same
    time as a real check); portal/staff/registration.py uses it too."""
    return _dummy_hash()


def _refusal(*, persist: bool = False) -> ServiceError:
    return ServiceError("bad_credentials", BAD_CREDENTIALS, status=401, persist=persist)


def wait_after(failures: int) -> timedelta:
    """How long new devices wait after `failures` wrong passwords in a row: none up to
    FREE_FAILURES, then 30 s doubling per failure, at most 15 minutes."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    seconds = FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILURES)
    return timedelta(seconds=min(seconds, LONGEST_WAIT_SECONDS))


def authenticate_staff(email: str, password: str, *, known_device: bool = False) -> StaffUser:
    """The staff user for these credentials, or the one refusal that says nothing more.

    A wrong password is state the boundary must keep (`persist`): the count and the wait.
    """
    address = (email or "").strip().lower()
    user = None
    if address:
        user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == address))
    if user is None or not user.is_active:
        check_password_hash(_dummy_hash(), password or "")
        raise _refusal()
    now = utcnow()
    waiting = as_utc(user.locked_until)
    if waiting is not None and waiting > now and not known_device:
        check_password_hash(_dummy_hash(), password or "")  # same time, nothing learnt
        raise _refusal()
    if not check_password_hash(user.password_hash, password or ""):
        _count_failure(user, now)
        raise _refusal(persist=True)
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    return user


def record_signin(user: StaffUser) -> None:
    """The sign-in is complete (after the second factor, when there is one): the team page
    shows this time as the member's last sign-in."""
    user.last_login_at = utcnow()
    db.session.flush()


def _count_failure(user: StaffUser, now: datetime) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    wait = wait_after(user.failed_logins)
    user.locked_until = now + wait if wait else None
    db.session.flush()
    if user.failed_logins == FREE_FAILURES:
        where = request.remote_addr if request else None
        enqueue_after_commit(warn_of_guessing, user.email, now.isoformat(), where)


def warn_of_guessing(to: str, when: str, where: str | None) -> None:
    """Job body: tell the account's owner their password is being guessed."""
    send_mail(
        to,
        "Someone is trying to sign in to your portal account",
        f"There were {FREE_FAILURES} wrong passwords for {to} in a row (last at {when} UTC"
        + (f", from {where}" if where else "")
        + ").\n\nIf that was you, nothing is needed. If not: your password was not "
        "accepted, and a device you signed in with before can still sign in at once. New "
        "devices now wait a little longer between tries. Consider a longer password.",
    )


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="staff-device")


def _email_digest(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def device_cookie_value(email: str) -> str:
    """What the device remembers after a sign-in: a signed digest of the email."""
    return _device_serializer().dumps(_email_digest(email))


def is_known_device(email: str, cookie: str | None) -> bool:
    """Did this browser sign in to `email`'s account before?"""
    if not cookie or not email:
        return False
    try:
        return _device_serializer().loads(cookie) == _email_digest(email)
    except BadSignature:
        return False


def end_staff_sessions(user: StaffUser) -> None:
    """Every session of this user ends: the version in their cookies no longer matches."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()
