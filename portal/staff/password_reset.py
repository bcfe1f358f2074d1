""" "Forgot password?" for staff: a single-use link, valid 30 minutes, mailed to the account.

Why it is built this way:
- asking tells nothing: a known, an unknown and a deactivated email get the same answer
  from the page, and do the same work here (a token and its keyed hash are made either
  way; only a live account's is stored and mailed, after the commit);
- the link is kept only as its keyed hash (portal/core/hashing.py), looked up by that
  hash and compared in constant time, so a copy of the table opens no account;
- setting the password uses the link up (and every other open link of the account),
  ends every session of the account, and clears the sign-in wait, since whoever guessed
  at the old password now guesses at a new one.

Services only flush; the request boundary commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from portal.core.audit import record_audit
from portal.core.error_codes import StaffError
from portal.core.errors import ServiceError
from portal.core.hashing import keyed_hash, random_token, same_hash
from portal.core.mail import send_mail
from portal.core.time import as_utc, utcnow
from portal.extensions import db
from portal.jobs.after_commit import enqueue_after_commit
from portal.staff.accounts import MIN_PASSWORD, hash_password
from portal.staff.models import StaffPasswordReset, StaffUser
from portal.staff.signin import end_staff_sessions

RESET_MINUTES = 30


def hash_reset_token(plain: str) -> str:
    return keyed_hash(plain, purpose="staff-password-reset")


def request_reset(email: str, *, link_for: Callable[[str], str]) -> None:
    """Mail a reset link to the active account using `email`, if there is one.

    `link_for(token)` makes the absolute link (the view knows the portal's address). The
    caller answers the same whatever happened here, so nothing is returned.
    """
    plain = random_token(32)
    digest = hash_reset_token(plain)
    address = (email or "").strip().lower()
    user = None
    if address:
        user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == address))
    if user is None or not user.is_active:
        return
    now = utcnow()
    db.session.add(
        StaffPasswordReset(
            staff_user_id=user.id,
            token_hash=digest,
            created_at=now,
            expires_at=now + timedelta(minutes=RESET_MINUTES),
        )
    )
    db.session.flush()
    language = user.language or user.merchant.default_language or "en"
    enqueue_after_commit(mail_reset_link, user.email, link_for(plain), language)


def mail_reset_link(to: str, link: str, language: str) -> None:
    """Job body: the link, in the staff member's language."""
    with force_locale(language):
        subject = gettext("Reset your portal password")
        body = gettext(
            "Someone asked to reset the password of the portal account %(email)s.\n\n"
            "To choose a new password, open this link within %(minutes)s minutes:\n"
            "%(link)s\n\n"
            "The link works once. If you did not ask for it, ignore this mail: your "
            "password stays as it is.",
            email=to,
            minutes=RESET_MINUTES,
            link=link,
        )
    send_mail(to, subject, body)


def find_reset(plain: str) -> StaffPasswordReset:
    """The open reset behind a link, or the one refusal for unknown, used, expired links
    and deactivated accounts (410: the page offers to ask for a new one)."""
    digest = hash_reset_token(plain or "")
    reset = db.session.scalar(
        select(StaffPasswordReset).where(StaffPasswordReset.token_hash == digest)
    )
    if (
        reset is None
        or not same_hash(digest, reset.token_hash)
        or reset.used_at is not None
        or (as_utc(reset.expires_at) or utcnow()) <= utcnow()
        or not reset.staff_user.is_active
    ):
        raise ServiceError(StaffError.RESET_LINK_INVALID, status=410)
    return reset


def check_new_password(password: str, confirm: str) -> None:
    """The rules for a new password (the same length as accounts.create_staff asks)."""
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(StaffError.NEW_PASSWORD_SHORT, field="password", min=MIN_PASSWORD)
    if password != confirm:
        raise ServiceError(StaffError.NEW_PASSWORD_MISMATCH, field="confirm")


def reset_password(plain: str, *, password: str, confirm: str, where: str | None) -> StaffUser:
    """Set the new password through the link; the account's links and sessions end."""
    reset = find_reset(plain)
    check_new_password(password, confirm)
    user = reset.staff_user
    now = utcnow()
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    db.session.execute(
        update(StaffPasswordReset)
        .where(StaffPasswordReset.staff_user_id == user.id, StaffPasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )
    end_staff_sessions(user)
    record_audit(
        merchant_id=user.merchant_id,
        actor=user.email,
        action="staff.password_reset",
        note=f"{user.email} by emailed link" + (f" from {where}" if where else ""),
    )
    return user
