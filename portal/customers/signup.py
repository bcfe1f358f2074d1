"""Customer sign-up and sign-in by phone and one-time code, for pages and API alike.

Both entry points answer the same way whether or not the number belongs to a customer:
a code goes only to a customer who may sign in, every other number still counts a send
(so the hourly limit and the code page behave identically) but receives nothing.

A sign-up with a new number creates no customer yet: the name and email wait with the
code (`otp_challenges.pending_signup`), and the customer is made when the code proves the
phone. So "Send code" to fifty numbers leaves no fifty half-made customers behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from portal.core.error_codes import CustomerError, OtpError
from portal.core.errors import ServiceError
from portal.core.inputs import ascii_digits, is_digits
from portal.core.phone import Phone, normalise_phone
from portal.customers.consent import CHANNELS, record_consent, wording_for
from portal.customers.fields import ValidationFailed, clean_fields
from portal.customers.models import Customer, RegisteredBy
from portal.customers.services import create_customer, find_by_phone
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.otp.models import OtpChallenge
from portal.otp.services import (
    confirm_phone,
    lock_challenge,
    may_get_codes,
    send_code,
    verify_code,
    verify_pending_signup,
)

SIGNUP = "signup"
SIGNIN = "signin"
PURPOSES = (SIGNUP, SIGNIN)
SIGNUP_FIELDS = ("first_name", "last_name", "email")
# The waiting sign-up's consents: {channel: the sentence shown}, for the channels ticked.
CONSENT_KEY = "marketing_consent"


@dataclass(frozen=True)
class Pending:
    """What the caller remembers between the phone step and the code step (no code)."""

    phone: str
    purpose: str


def may_sign_in(customer: Customer | None) -> bool:
    """Only an existing customer who is neither blocked nor deleted gets a code."""
    return customer is not None and may_get_codes(customer)


def owner_of(merchant: Merchant, e164: str) -> Customer | None:
    """The customer who signs in with `e164`: its confirmed phone, or the pending number of
    a customer who has none yet. A number only pending as someone's *new* phone is nobody's.
    """
    customer = find_by_phone(merchant.id, e164)
    if customer is None or customer.phone == e164:
        return customer
    return customer if customer.phone is None else None


def _send(
    merchant: Merchant, e164: str, purpose: str, *, locked: OtpChallenge | None = None
) -> Pending:
    """Send a code to the customer behind `e164`, or count a silent send for anyone else.

    `locked`: the challenge the caller already locked in this transaction (start_signup).
    """
    # Take the write lock (SQLite) / row lock (PostgreSQL) before reading the customer.
    challenge = locked or lock_challenge(merchant.id, e164, create=False)
    customer = owner_of(merchant, e164)
    if may_sign_in(customer):
        assert customer is not None
        send_code(
            merchant,
            e164,
            customer=customer,
            actor=f"customer:{customer.id}",
            purpose=purpose,
            locked=challenge,
        )
    elif customer is None and challenge is not None and challenge.pending_signup:
        # "Send a new code" for a sign-up still waiting: its fields stay with the code.
        waiting = json.loads(challenge.pending_signup)
        send_code(
            merchant,
            e164,
            customer=None,
            actor="customer:signup",
            purpose=SIGNUP,
            language=waiting.get("language"),
            locked=challenge,
        )
    else:
        send_code(
            merchant,
            e164,
            customer=None,
            actor="anonymous",
            purpose=purpose,
            deliver=False,
            locked=challenge,
        )
    return Pending(phone=e164, purpose=purpose)


def _signup_errors(merchant: Merchant, data: dict[str, Any]) -> tuple[Phone | None, dict]:
    """Validate the sign-up form at once: (the phone, cleaned fields), or ValidationFailed."""
    problems: dict[str, ServiceError] = {}
    phone: Phone | None = None
    try:
        phone = normalise_phone(data.get("phone"), data.get("country") or merchant.country_code)
    except ServiceError as exc:
        problems["phone"] = exc
    values = {key: data.get(key) for key in SIGNUP_FIELDS}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_fields(values, merchant_id=merchant.id)
    except ValidationFailed as exc:
        problems.update(exc.problems)
    if not (data.get("first_name") or "").strip() and "first_name" not in problems:
        problems["first_name"] = ServiceError(CustomerError.FIRST_NAME_REQUIRED, field="first_name")
    if problems:
        ordered = {
            k: problems[k] for k in ("first_name", "last_name", "phone", "email") if k in problems
        }
        raise ValidationFailed(ordered | problems)
    return phone, cleaned


def start_signup(
    merchant: Merchant, data: dict[str, Any], *, actor: str = "customer:signup"
) -> Pending:
    """Create (or reuse) an unconfirmed customer and send a code to confirm the phone.

    `data`: first_name, last_name, phone, country (for reading a local number), email and
    optionally language and the marketing consents `sms_consent` / `email_consent` (they
    wait with the code, with the sentence shown, and are recorded when the customer is
    made). A number that already belongs to a confirmed customer gets that
    customer a sign-in code instead, so the page never tells who is registered.
    Raises ValidationFailed for bad fields and ServiceError for send limits and SMS failure
    (the request boundary rolls back, leaving no customer behind).
    """
    phone, cleaned = _signup_errors(merchant, data)
    assert phone is not None
    e164 = phone.e164
    # Created now if missing, so the send below neither locks nor reads it a second time.
    challenge = lock_challenge(merchant.id, e164, create=True)
    existing = find_by_phone(merchant.id, e164)
    if existing is not None:
        purpose = SIGNIN if existing.phone == e164 else SIGNUP
        return _send(merchant, e164, purpose, locked=challenge)
    fields = {key: value for key, value in cleaned.items() if value is not None}
    fields["country_code"] = phone.country_code or merchant.country_code
    if data.get("language"):
        fields["language"] = data["language"]
    given = [channel for channel in CHANNELS if data.get(f"{channel}_consent")]
    if given:
        fields[CONSENT_KEY] = {channel: wording_for(channel, SIGNUP) for channel in given}
    send_code(
        merchant,
        e164,
        customer=None,
        actor=actor,
        purpose=SIGNUP,
        pending_signup=fields,
        language=fields.get("language"),
        locked=challenge,
    )
    return Pending(phone=e164, purpose=SIGNUP)


def start_signin(merchant: Merchant, phone_raw: str | None, *, country: str | None) -> Pending:
    """Send a sign-in code if the number belongs to a customer who may sign in.

    The outcome is the same for every valid number; only an invalid one is refused.
    """
    e164 = normalise_phone(phone_raw, country or merchant.country_code).e164
    return _send(merchant, e164, SIGNIN)


def resend_code(merchant: Merchant, pending: Pending) -> Pending:
    """The code page's "Send a new code": the same rules as the first send."""
    return _send(merchant, pending.phone, pending.purpose)


def finish_verification(merchant: Merchant, pending: Pending, code: str | None) -> Customer:
    """Check the code; on success the phone is confirmed and the customer may be signed in.

    A wrong code raises ServiceError with persist=True (the boundary keeps the attempt).
    """
    digits = ascii_digits((code or "").strip())
    if not digits:
        raise ServiceError(OtpError.CODE_REQUIRED, field="code")
    if not is_digits(digits) or len(digits) > 12:
        digits = "x"  # still checked, so the attempt counts and nothing is learnt
    known = owner_of(merchant, pending.phone)
    if known is None:
        return _finish_signup(merchant, pending.phone, digits)
    customer = verify_code(merchant, pending.phone, digits, actor=f"customer:{known.id}")
    if not may_sign_in(customer):
        raise ServiceError(OtpError.NO_CODE, field="code")
    return customer


def _finish_signup(merchant: Merchant, e164: str, digits: str) -> Customer:
    """The code of a waiting sign-up: now the customer is made, with the phone proved."""
    fields = verify_pending_signup(merchant, e164, digits)
    consents = fields.pop(CONSENT_KEY, None) or {}
    actor = "customer:signup"
    customer = create_customer(
        merchant, {**fields, "phone": e164}, actor=actor, registered_by=RegisteredBy.SELF
    )
    confirm_phone(customer, e164, actor=actor)
    for channel, wording in consents.items():
        if channel in CHANNELS:
            record_consent(customer, channel, True, SIGNUP, str(wording), actor=actor)
    return customer


def sign_out_everywhere(customer: Customer) -> None:
    """End every session of `customer` (all browsers), not only the current cookie.

    One atomic UPDATE of session_version: it cannot lose to a concurrent profile save
    (whose optimistic `version` check would otherwise turn sign-out into an error).
    """
    db.session.execute(
        update(Customer)
        .where(Customer.id == customer.id)
        .values(session_version=Customer.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(customer, ["session_version"])
