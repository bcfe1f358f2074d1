"""Sending and verifying one-time codes: the rules of documents 000 and 001, once.

The guards (attempts, rolling-hour sends) live in the challenge row, which every send
and every verification locks first, so concurrent requests are counted one by one.
Callers commit after success, and also after a ServiceError whose `persist` is True.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import metrics
from portal.core.audit import record_change, record_event
from portal.core.error_codes import OtpError
from portal.core.errors import ServiceError
from portal.core.hashing import keyed_hash, random_digits, random_token, same_hash
from portal.core.inputs import ascii_digits
from portal.core.time import as_utc, utcnow
from portal.customers.models import ActiveState, Customer, RegistrationStatus
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.otp.budget import check_budget
from portal.otp.models import OtpChallenge, OtpSend
from portal.otp.sms import SmsError, send_sms

CODE_LENGTH = 6
# The English sentences, for callers that word a document's answer around them.


@dataclass(frozen=True)
class SentCode:
    """What a send hands back: the challenge and its opaque token (plain, never stored)."""

    challenge: OtpChallenge
    token: str
    code: str  # only for OTP_IN_RESPONSES test mode and the SMS text; never persisted

    @property
    def expires_at(self):
        return self.challenge.expires_at


def _code_hash(merchant_id: int, phone: str, code: str) -> str:
    return keyed_hash(f"{merchant_id}:{phone}:{code.strip()}", purpose="otp")


def _token_hash(token: str) -> str:
    return keyed_hash(token, purpose="otp-token")


def _where(merchant_id: int, phone: str) -> tuple:
    return (OtpChallenge.merchant_id == merchant_id, OtpChallenge.phone == phone)


def lock_challenge(merchant_id: int, phone: str, *, create: bool) -> OtpChallenge | None:
    """The challenge row for this phone, locked for the rest of the transaction.

    On SQLite a no-op UPDATE comes first: it takes the database write lock before any
    read (so concurrent requests queue instead of reading stale counters), since SQLite
    ignores FOR UPDATE. PostgreSQL's SELECT ... FOR UPDATE takes the row lock by itself;
    the UPDATE there only wrote a dead row version, one more statement on every send.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(OtpChallenge)
            .where(*_where(merchant_id, phone))
            .values(attempts=OtpChallenge.attempts)
            .execution_options(synchronize_session=False)
        )
    query = (
        select(OtpChallenge)
        .where(*_where(merchant_id, phone))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    challenge = db.session.scalar(query)
    if challenge is None and create:
        # Lost a race for the number: the other transaction's row, once it has committed.
        challenge = _insert_challenge(merchant_id, phone) or db.session.scalar(query)
    return challenge


# INSERT ... ON CONFLICT DO NOTHING, per dialect (both the portal runs on have it).
_UPSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def _insert_challenge(merchant_id: int, phone: str) -> OtpChallenge | None:
    """A new challenge row, ours (so locked) until the commit; None when the number's row
    exists after all (a concurrent first send inserted it: the conflict waits for that
    transaction to end).

    One statement: it was a SAVEPOINT, the INSERT and a RELEASE (or a rollback to the
    savepoint on IntegrityError), three round trips on every new number's first send.
    """
    upsert = _UPSERTS[db.session.get_bind().dialect.name]
    statement = (
        upsert(OtpChallenge)
        .values(merchant_id=merchant_id, phone=phone)
        .on_conflict_do_nothing(index_elements=["merchant_id", "phone"])
        .returning(OtpChallenge)
    )
    return db.session.scalars(statement).first()


def _lock_customer(customer_id: int) -> None:
    """Lock the customer row (PostgreSQL) so the copy read next is the one we update."""
    db.session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())


def sends_in_last_hour(challenge: OtpChallenge) -> int:
    """Codes sent for this challenge in the rolling hour.

    A challenge never sent to (every new number's) has none: each OtpSend row is added
    with `last_sent_at` set beside it (`_renew`), and nothing clears that column, so the
    count is not asked for. One statement fewer on every first send.
    """
    if challenge.last_sent_at is None:
        return 0
    since = utcnow() - timedelta(hours=1)
    return (
        db.session.scalar(
            select(func.count(OtpSend.id)).where(
                OtpSend.challenge_id == challenge.id, OtpSend.sent_at > since
            )
        )
        or 0
    )


def sms_text(merchant: Merchant, code: str, language: str | None) -> str:
    minutes = max(1, current_app.config["OTP_TTL_SECONDS"] // 60)
    with force_locale(language or merchant.default_language or "en"):
        return gettext(
            "%(merchant)s: your code is %(code)s. It expires in %(minutes)s minutes. "
            "Do not share it.",
            merchant=merchant.name,
            code=code,
            minutes=minutes,
        )


def may_get_codes(customer: Customer) -> bool:
    """The one rule every path asks (pages, partner API, /v1/customers, assistants): a
    blocked or deleted customer gets no code and cannot be verified."""
    return customer.deleted_at is None and not customer.is_blocked


def send_code(
    merchant: Merchant,
    phone: str,
    *,
    customer: Customer | None,
    actor: str,
    purpose: str = "confirm",
    deliver: bool = True,
    pending_signup: dict[str, Any] | None = None,
    language: str | None = None,
    locked: OtpChallenge | None = None,
) -> SentCode:
    """Send a fresh code to `phone` (E.164), replacing any earlier one.

    Refuses the fourth send within a rolling hour with document 000's message. A failing
    SMS gateway raises ServiceError('sms_failed'): the boundary rolls back, leaving nothing.
    `deliver=False` keeps every counter and guard but sends no SMS: sign-in uses it for
    numbers that must not get a code, so they answer exactly like the others.
    `locked`: this phone's challenge as the caller's `lock_challenge` returned it in this
    transaction (the lock holds until the commit), so it is not locked and read again.
    """
    challenge = locked or lock_challenge(merchant.id, phone, create=True)
    assert challenge is not None
    assert (challenge.merchant_id, challenge.phone) == (merchant.id, phone)
    _check_may_send(challenge, customer)
    check_budget(merchant, phone, utcnow(), sent_before=challenge.last_sent_at)
    if pending_signup is not None:
        # Before _renew's flush, so the challenge is written in one UPDATE.
        challenge.pending_signup = json.dumps(pending_signup)
    code, token = _renew(challenge, merchant.id, phone, customer=customer, purpose=purpose)
    try:
        if deliver:
            send_sms(phone, sms_text(merchant, code, customer.language if customer else language))
            metrics.CODES_SENT.inc()
    except SmsError as exc:
        metrics.GATEWAY_ERRORS.inc()
        raise ServiceError(OtpError.SMS_FAILED, field="phone", status=502) from exc
    if customer is not None:
        _record_sent(merchant.id, customer.id, actor=actor, purpose=purpose)
    return SentCode(challenge=challenge, token=token, code=code)


def _check_may_send(challenge: OtpChallenge, customer: Customer | None) -> None:
    """Refuse a blocked or deleted customer, and a fourth send within the hour."""
    if customer is not None:
        # Re-read (and lock) the customer after the challenge lock: a copy loaded earlier
        # may be stale, and its version column would fail the update with StaleDataError.
        db.session.flush()
        _lock_customer(customer.id)
        db.session.refresh(customer)
        if not may_get_codes(customer):
            raise ServiceError(OtpError.CUSTOMER_BLOCKED, field="phone", status=403)
    limit = current_app.config["OTP_SENDS_PER_HOUR"]
    if sends_in_last_hour(challenge) >= limit:
        raise ServiceError(OtpError.TOO_MANY_SENDS, field="phone", retry_after=3600)


def _renew(
    challenge: OtpChallenge,
    merchant_id: int,
    phone: str,
    *,
    customer: Customer | None,
    purpose: str,
) -> tuple[str, str]:
    """A fresh code and token on the challenge (only their hashes are kept), the send
    counted; returns the plain code and token."""
    now = utcnow()
    code = random_digits(CODE_LENGTH)
    token = random_token()
    challenge.customer_id = customer.id if customer else None
    challenge.purpose = purpose
    challenge.code_hash = _code_hash(merchant_id, phone, code)
    challenge.token_hash = _token_hash(token)
    challenge.expires_at = now + timedelta(seconds=current_app.config["OTP_TTL_SECONDS"])
    challenge.attempts = 0
    challenge.consumed_at = None
    challenge.locked_at = None
    challenge.last_sent_at = now
    db.session.add(OtpSend(challenge_id=challenge.id, sent_at=now))
    if customer is not None:
        customer.confirmation_sent_at = now
    db.session.flush()
    return code, token


def _record_sent(merchant_id: int, customer_id: int, *, actor: str, purpose: str) -> None:
    """The audit line, and the `verification` event integrations receive."""
    record_change(
        merchant_id,
        customer_id,
        actor=actor,
        action="verification.sent",
        note=purpose,
        payload={"purpose": purpose},
    )


def _fail(challenge: OtpChallenge, *, max_attempts: int) -> ServiceError:
    """Count one wrong try; lock the code on the last one. The counter must be committed."""
    metrics.VERIFY_FAILURES.labels("wrong").inc()
    challenge.attempts += 1
    kind, code = "failed", OtpError.CODE_WRONG
    if challenge.attempts >= max_attempts:
        challenge.locked_at = utcnow()
        kind, code = "locked", OtpError.CODE_LOCKED
    db.session.flush()
    if challenge.customer_id is not None:
        record_event(
            merchant_id=challenge.merchant_id,
            customer_id=challenge.customer_id,
            type="verification",
            kind=kind,
        )
    return ServiceError(code, field="code", persist=True)


def verify_code(
    merchant: Merchant,
    phone: str,
    code: str,
    *,
    actor: str,
    token: str | None = None,
) -> Customer:
    """Check `code` for `phone`; on success confirm the phone and return the customer.

    Single use, expires after OTP_TTL_SECONDS, dead after OTP_MAX_ATTEMPTS wrong tries.
    With `token` (document 000), the token of the latest send must match too.
    """
    max_attempts = current_app.config["OTP_MAX_ATTEMPTS"]
    challenge = _matching_challenge(merchant, phone, code, token=token)
    customer = None
    if challenge.customer_id:
        _lock_customer(challenge.customer_id)
        customer = db.session.get(Customer, challenge.customer_id, populate_existing=True)
    if customer is None or customer.merchant_id != merchant.id or not may_get_codes(customer):
        raise _fail(challenge, max_attempts=max_attempts)
    _consume(challenge)
    confirm_phone(customer, phone, actor=actor)
    metrics.CODES_VERIFIED.inc()
    return customer


def verify_pending_signup(merchant: Merchant, phone: str, code: str) -> dict[str, Any]:
    """Check `code` for a sign-up still waiting for it; on success the code is used up and
    the fields typed at sign-up are returned for the caller to create the customer with.
    A number without a waiting sign-up fails like a wrong code (and counts as one)."""
    challenge = _matching_challenge(merchant, phone, code)
    if not challenge.pending_signup:
        raise _fail(challenge, max_attempts=current_app.config["OTP_MAX_ATTEMPTS"])
    fields = json.loads(challenge.pending_signup)
    _consume(challenge)
    metrics.CODES_VERIFIED.inc()
    return fields


def forget_stale_signups(grace: timedelta) -> int:
    """Drop the fields of sign-ups whose code expired more than `grace` ago: personal data
    of someone who never proved the phone is not kept."""
    result = db.session.execute(
        update(OtpChallenge)
        .where(
            OtpChallenge.pending_signup.is_not(None),
            OtpChallenge.expires_at < utcnow() - grace,
        )
        .values(pending_signup=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _matching_challenge(
    merchant: Merchant, phone: str, code: str, *, token: str | None = None
) -> OtpChallenge:
    """The locked challenge whose live code (and token, if given) this is, else the
    refusal: no code, locked, expired, or a wrong try counted (persist)."""
    max_attempts = current_app.config["OTP_MAX_ATTEMPTS"]
    challenge = lock_challenge(merchant.id, phone, create=False)
    if challenge is None or challenge.code_hash is None or challenge.consumed_at is not None:
        metrics.VERIFY_FAILURES.labels("no_code").inc()
        raise ServiceError(OtpError.NO_CODE, field="code")
    if challenge.locked_at is not None or challenge.attempts >= max_attempts:
        metrics.VERIFY_FAILURES.labels("locked").inc()
        raise ServiceError(OtpError.CODE_LOCKED, field="code")
    if as_utc(challenge.expires_at) is None or as_utc(challenge.expires_at) <= utcnow():
        metrics.VERIFY_FAILURES.labels("expired").inc()
        raise ServiceError(OtpError.CODE_EXPIRED, field="code")
    digits = ascii_digits((code or "").strip())
    token_ok = token is None or same_hash(_token_hash(token.strip()), challenge.token_hash)
    code_ok = same_hash(_code_hash(merchant.id, phone, digits), challenge.code_hash)
    if not (token_ok and code_ok):
        raise _fail(challenge, max_attempts=max_attempts)
    return challenge


def _consume(challenge: OtpChallenge) -> None:
    """A code works once: the hashes go, and so does any sign-up it was waiting for."""
    challenge.consumed_at = utcnow()
    challenge.code_hash = None
    challenge.token_hash = None
    challenge.pending_signup = None


def confirm_phone(customer: Customer, phone: str, *, actor: str) -> None:
    """Promote a verified number to the confirmed phone (document 001's confirm)."""
    now = utcnow()
    before = {"phone": customer.phone, "unconfirmed_phone": customer.unconfirmed_phone}
    if customer.unconfirmed_phone == phone:
        customer.unconfirmed_phone = None
        customer.phone = phone
    first_confirmation = customer.confirmed_at is None
    customer.confirmed_at = (
        now if first_confirmation or before["phone"] != phone else (customer.confirmed_at)
    )
    customer.is_otp_verified = True
    if customer.registration_status == RegistrationStatus.UNREGISTERED:
        customer.registration_status = RegistrationStatus.REGISTERED
        customer.active_state = ActiveState.ACTIVE
    customer.modified_at = now
    customer.modified_by = actor
    db.session.flush()
    record_change(
        customer.merchant_id,
        customer.id,
        actor=actor,
        action="verification.confirmed",
        changes={
            "phone": [before["phone"], customer.phone],
            "unconfirmed_phone": [before["unconfirmed_phone"], customer.unconfirmed_phone],
        },
    )
