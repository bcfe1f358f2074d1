"""Two-factor sign-in for staff: an authenticator app (TOTP, RFC 6238) and ten recovery codes.

Why it is built this way:
- the app's key must be read back to check codes, so it is sealed (Fernet,
  portal/core/sealing.py) rather than hashed, and shown only during setup: once
  switched on, no page shows it again;
- a code is accepted one 30-second step either side of now (phones drift), and never
  twice: the newest accepted step is kept, and only later steps count;
- recovery codes are kept only as keyed hashes bound to the account, each used once;
- wrong codes at sign-in count on the account: after MAX_WRONG_CODES the pending
  sign-in is over and every pending sign-in started before then is refused too (a copy
  of an older pending cookie does not start the count again); the password is needed.

Services only flush; the request boundary commits.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

import pyotp
import segno
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash

from portal.core.audit import record_audit
from portal.core.error_codes import StaffError
from portal.core.errors import ServiceError
from portal.core.hashing import keyed_hash
from portal.core.sealing import UnsealError, seal, unseal
from portal.core.time import as_utc, utcnow
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.staff.models import StaffRecoveryCode, StaffTwoFactor, StaffUser

SEAL_PURPOSE = "staff-two-factor-key"
RECOVERY_CODES = 10
MAX_WRONG_CODES = 5
VALID_WINDOW = 1  # steps either side of now
# Letters and digits nobody confuses when copying from paper (no 0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
SIX_DIGITS = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class SetupKey:
    """What the setup page shows: the key as text, grouped, and its QR code as a data URI."""

    key: str
    uri: str
    qr_data_uri: str

    @property
    def grouped(self) -> str:
        return " ".join(self.key[i : i + 4] for i in range(0, len(self.key), 4))


def _row(user: StaffUser, *, lock: bool = False) -> StaffTwoFactor | None:
    """The member's row; `lock` holds it until the commit (PostgreSQL), so two requests
    with the same code or recovery code are checked one after the other, not both taken."""
    query = select(StaffTwoFactor).where(StaffTwoFactor.staff_user_id == user.id)
    return db.session.scalar(query.with_for_update() if lock else query)


def is_enabled(user: StaffUser) -> bool:
    """Does this member sign in with a second factor?"""
    row = _row(user)
    return row is not None and row.enabled_at is not None


def must_set_up(user: StaffUser) -> bool:
    """The shop requires two-factor sign-in and this member has not switched it on."""
    return bool(user.merchant.require_two_factor) and not is_enabled(user)


def members_with_two_factor(merchant_id: int) -> set[int]:
    """The ids of this merchant's members who have two-factor sign-in on."""
    query = (
        select(StaffTwoFactor.staff_user_id)
        .join(StaffUser, StaffUser.id == StaffTwoFactor.staff_user_id)
        .where(StaffUser.merchant_id == merchant_id, StaffTwoFactor.enabled_at.is_not(None))
    )
    return set(db.session.scalars(query))


def remaining_recovery_codes(user: StaffUser) -> int:
    """How many recovery codes are still unused."""
    query = select(func.count(StaffRecoveryCode.id)).where(
        StaffRecoveryCode.staff_user_id == user.id, StaffRecoveryCode.used_at.is_(None)
    )
    return int(db.session.scalar(query) or 0)


def start_setup(user: StaffUser) -> SetupKey:
    """The key to add to the app: the same one until it is switched on, then never again."""
    row = _row(user)
    if row is not None and row.enabled_at is not None:
        raise ServiceError(StaffError.TWO_FACTOR_ALREADY_ON)
    key = _key_of(row) if row is not None else None
    if key is None:
        key = pyotp.random_base32()
        if row is None:
            row = StaffTwoFactor(staff_user_id=user.id, failed_codes=0)
            db.session.add(row)
        row.sealed_key = seal(key, purpose=SEAL_PURPOSE)
        db.session.flush()
    uri = pyotp.TOTP(key).provisioning_uri(name=user.email, issuer_name=user.merchant.name)
    return SetupKey(key=key, uri=uri, qr_data_uri=qr_data_uri(uri))


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri`, drawn here by segno, as an SVG data URI for an <img>."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _key_of(row: StaffTwoFactor) -> str | None:
    try:
        return unseal(row.sealed_key, purpose=SEAL_PURPOSE)
    except UnsealError:
        return None  # sealed under an older SECRET_KEY: it cannot produce codes


def _normal(code: str | None) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()


def _accepted_step(row: StaffTwoFactor, code: str, now: datetime) -> int | None:
    """The step `code` belongs to (now, or one either side), or None. Raises when the code
    is right but its step (or a later one) was used already: a replay."""
    key = _key_of(row)
    if key is None or not SIX_DIGITS.fullmatch(code):
        return None
    totp = pyotp.TOTP(key)
    current = totp.timecode(now)
    matched = [
        step
        for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1)
        if pyotp.utils.strings_equal(code, totp.generate_otp(step))
    ]
    if not matched:
        return None
    step = max(matched)
    if row.last_step is not None and step <= row.last_step:
        raise ServiceError(StaffError.TWO_FACTOR_CODE_USED, field="code")
    return step


def _require_code(code: str | None) -> str:
    plain = _normal(code)
    if not plain:
        raise ServiceError(StaffError.TWO_FACTOR_CODE_REQUIRED, field="code")
    return plain


def switch_on(user: StaffUser, code: str | None) -> list[str]:
    """Switch two-factor sign-in on with a first code from the app; the ten recovery codes
    are returned to be shown once (only their hashes are kept)."""
    row = _row(user, lock=True)
    if row is not None and row.enabled_at is not None:
        raise ServiceError(StaffError.TWO_FACTOR_ALREADY_ON)
    plain = _require_code(code)
    now = utcnow()
    step = _accepted_step(row, plain, now) if row is not None else None
    if row is None or step is None:
        raise ServiceError(StaffError.TWO_FACTOR_CODE_WRONG, field="code")
    row.enabled_at = now
    row.last_step = step
    row.failed_codes = 0
    row.codes_locked_at = None
    codes = _new_recovery_codes(user)
    record_audit(user.merchant_id, actor=user.email, action="staff.two_factor_enabled")
    db.session.flush()
    return codes


def _recovery_hash(user: StaffUser, plain: str) -> str:
    return keyed_hash(f"{user.id}:{plain}", purpose="staff-recovery-code")


def _new_recovery_codes(user: StaffUser) -> list[str]:
    db.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        plain = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        db.session.add(
            StaffRecoveryCode(staff_user_id=user.id, code_hash=_recovery_hash(user, plain))
        )
        codes.append(f"{plain[:5]}-{plain[5:]}")
    return codes


def _use_recovery_code(user: StaffUser, plain: str, now: datetime) -> bool:
    """Spend one unused recovery code of this account; False when it is not one."""
    found = db.session.scalar(
        select(StaffRecoveryCode).where(
            StaffRecoveryCode.staff_user_id == user.id,
            StaffRecoveryCode.code_hash == _recovery_hash(user, plain),
            StaffRecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = now
    return True


def _check_either(user: StaffUser, row: StaffTwoFactor, plain: str, now: datetime) -> str | None:
    """ "totp" or "recovery" for a right code (the step or the code is used up), else None."""
    step = _accepted_step(row, plain, now)
    if step is not None:
        row.last_step = step
        return "totp"
    if not SIX_DIGITS.fullmatch(plain) and _use_recovery_code(user, plain, now):
        return "recovery"
    return None


def switch_off(user: StaffUser, *, code: str | None, password: str | None) -> None:
    """Switch two-factor sign-in off: a current code (or a recovery code) and the password."""
    row = _row(user, lock=True)
    if row is None or row.enabled_at is None:
        raise ServiceError(StaffError.TWO_FACTOR_NOT_ON)
    if user.merchant.require_two_factor:
        raise ServiceError(StaffError.TWO_FACTOR_REQUIRED_BY_SHOP)
    if not check_password_hash(user.password_hash, password or ""):
        raise ServiceError(StaffError.TWO_FACTOR_PASSWORD_WRONG, field="password")
    if _check_either(user, row, _require_code(code), utcnow()) is None:
        raise ServiceError(StaffError.TWO_FACTOR_CODE_WRONG, field="code")
    db.session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_user_id == user.id))
    db.session.delete(row)
    record_audit(user.merchant_id, actor=user.email, action="staff.two_factor_disabled")
    db.session.flush()


def pending_member(user_id: int, session_version: int) -> StaffUser | None:
    """The member a pending sign-in names, while still active, signed in nowhere since
    their sessions ended (the version matches) and still using two-factor sign-in."""
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.is_active or user.session_version != session_version:
        return None
    return user if is_enabled(user) else None


def check_signin_code(user: StaffUser, code: str | None, *, started_at: datetime) -> str:
    """The second step of a sign-in begun at `started_at`: "totp" or "recovery" when the
    code is right. A wrong code is kept (`persist`) and counts; the last one allowed ends
    every pending sign-in of the account."""
    row = _row(user, lock=True)
    if row is None or row.enabled_at is None:
        raise ServiceError(StaffError.TWO_FACTOR_SIGNIN_EXPIRED, status=410)
    locked = as_utc(row.codes_locked_at)
    if locked is not None and started_at <= locked:
        raise ServiceError(StaffError.TWO_FACTOR_LOCKED, status=429)
    plain = _require_code(code)
    now = utcnow()
    try:
        kind = _check_either(user, row, plain, now)
    except ServiceError as replay:  # a used code counts like a wrong one
        _count_wrong_code(user, row, now, replay.code)
    if kind is None:
        _count_wrong_code(user, row, now, StaffError.TWO_FACTOR_CODE_WRONG)
    row.failed_codes = 0
    if kind == "recovery":
        record_audit(user.merchant_id, actor=user.email, action="staff.recovery_code_used")
    db.session.flush()
    return kind


def _count_wrong_code(user: StaffUser, row: StaffTwoFactor, now: datetime, code: str) -> NoReturn:
    row.failed_codes = (row.failed_codes or 0) + 1
    if row.failed_codes < MAX_WRONG_CODES:
        db.session.flush()
        raise ServiceError(code, field="code", persist=True)
    row.failed_codes = 0
    row.codes_locked_at = now
    record_audit(user.merchant_id, actor=user.email, action="staff.two_factor_locked")
    db.session.flush()
    raise ServiceError(StaffError.TWO_FACTOR_LOCKED, status=429, persist=True)


def require_for_team(merchant: Merchant, required: bool, *, owner: StaffUser) -> None:
    """The owner requires (or no longer requires) two-factor sign-in of every member.
    They switch it on for themselves first, so the shop never requires what its owner
    cannot do."""
    if bool(merchant.require_two_factor) == required:
        return
    if required and not is_enabled(owner):
        raise ServiceError(StaffError.TWO_FACTOR_OWNER_FIRST, field="required")
    merchant.require_two_factor = required
    record_audit(
        merchant.id,
        actor=owner.email,
        action="settings.two_factor_required",
        changes={"require_two_factor": [not required, required]},
    )
    db.session.flush()
