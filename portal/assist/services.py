"""Walk-in registration by retailer assistants: register, send codes, verify, today's list.

Every function takes the signed-in assistant and works only on the shoppers the
assistant's partner registered: any other customer id, of this merchant or another, is
simply not found, and nobody else's name or phone is shown or texted. They flush; the
request boundary (portal/boundary.py) commits once, also after a persisting refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, select

from portal.core.audit import record_audit
from portal.core.error_codes import AssistError
from portal.core.errors import NotFound, ServiceError
from portal.core.inputs import ascii_digits, is_digits
from portal.core.models import AuditEntry
from portal.core.time import as_utc, utcnow
from portal.core.zones import shop_timezone  # re-exported: the assist pages use it
from portal.customers.consent import CHANNELS, record_consents
from portal.customers.fields import ValidationFailed, clean_fields
from portal.customers.models import Customer, RegisteredBy
from portal.customers.services import (
    NOT_FOUND_MESSAGE,
    create_customer,
    find_by_phone,
    get_customer,
    update_customer,
)
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.otp.services import SentCode, send_code, verify_code
from portal.staff.models import StaffUser

# The fields the assistant's form collects (document 000, "Customer Create by Retailer
# Assistant"); anything else in `data` is ignored rather than written.
FIELDS: tuple[str, ...] = ("first_name", "last_name", "phone", "gender", "age")
REQUIRED: dict[str, AssistError] = {
    "first_name": AssistError.SHOPPER_FIRST_NAME_REQUIRED,
    "last_name": AssistError.SHOPPER_LAST_NAME_REQUIRED,
    "phone": AssistError.SHOPPER_PHONE_REQUIRED,
}
# The English sentences (tests and callers that compare them).
REGISTERED_ACTION = "assist.registered"
SEND_PURPOSE = "assist"
# How many of today's shoppers the page lists (newest first); the counts are exact.
TODAY_LIMIT = 200


class Outcome(StrEnum):
    CREATED = "created"
    REUSED = "reused"
    ALREADY_REGISTERED = "already_registered"


@dataclass(frozen=True)
class Registration:
    """What register_shopper did: the customer, how it was found, and the code sent (if any)."""

    customer: Customer
    outcome: Outcome
    sent: SentCode | None

    @property
    def code_sent(self) -> bool:
        return self.sent is not None


@dataclass(frozen=True)
class TodayEntry:
    """One row of the assistant's "Today" list."""

    customer: Customer
    registered_at: datetime

    @property
    def verified(self) -> bool:
        return is_confirmed(self.customer)


def is_confirmed(customer: Customer) -> bool:
    """A confirmed customer has a verified phone; an unconfirmed one is still pending."""
    return customer.confirmed_at is not None and customer.phone is not None


def phone_to_verify(customer: Customer) -> str:
    """The number a code goes to: the confirmed phone, else the one waiting for a code."""
    if is_confirmed(customer):
        return customer.phone  # type: ignore[return-value]
    if customer.unconfirmed_phone:
        return customer.unconfirmed_phone
    raise ServiceError(AssistError.NO_PHONE, field="phone")


def _require_assistant(assistant: StaffUser) -> None:
    if not assistant.is_assistant:
        raise ServiceError(AssistError.NOT_ASSISTANT, status=403)


def _clean(merchant: Merchant, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The form's fields validated together: every error at once, names required."""
    fields = {key: data.get(key) for key in FIELDS}
    errors: dict[str, str | ServiceError] = {
        key: ServiceError(code, field=key)
        for key, code in REQUIRED.items()
        if not str(fields[key] or "").strip()
    }
    present = {key: value for key, value in fields.items() if key not in errors}
    try:
        cleaned = clean_fields(present, merchant_id=merchant.id, country=merchant.country_code)
    except ValidationFailed as exc:
        errors |= exc.problems
        cleaned = {}
    if errors:
        raise ValidationFailed({key: errors[key] for key in FIELDS if key in errors})
    return fields, cleaned["phone"]


def register_shopper(assistant: StaffUser, data: dict[str, Any]) -> Registration:
    """Register a walk-in shopper for the assistant's merchant and partner; send a code.

    The assistant is the actor (created_by) and their partner the registrar; see
    register_walk_in for the rules.
    """
    _require_assistant(assistant)
    registration = register_walk_in(
        assistant.merchant, data, partner_id=assistant.partner_id, actor=assistant.email
    )
    if registration.outcome is Outcome.ALREADY_REGISTERED and not _registered_by(
        assistant, registration.customer
    ):
        # Someone else's customer: say nothing about them, not even their name.
        raise ValidationFailed({"phone": ServiceError(AssistError.ALREADY_CUSTOMER, field="phone")})
    return registration


def _registered_by(assistant: StaffUser, customer: Customer) -> bool:
    return customer.partner_id is not None and customer.partner_id == assistant.partner_id


def register_walk_in(
    merchant: Merchant, data: dict[str, Any], *, partner_id: int | None, actor: str
) -> Registration:
    """Register a walk-in shopper of `merchant` on behalf of partner `partner_id`.

    A new phone creates an unconfirmed customer registered by the partner. An unconfirmed
    customer with that phone is reused (details refreshed, new code). A confirmed one is
    never duplicated nor changed: the outcome says so and the page can offer to send a
    code. Bad input raises ValidationFailed; if anything fails (SMS, send limit) the
    savepoint is rolled back, so nothing is left behind.
    """
    fields, e164 = _clean(merchant, data)
    existing = find_by_phone(merchant.id, e164, include_deleted=True)
    if existing is not None and existing.deleted_at is not None:
        raise ValidationFailed(
            {"phone": ServiceError(AssistError.PHONE_UNAVAILABLE, field="phone")}
        )
    if existing is not None and (is_confirmed(existing) or existing.phone == e164):
        return Registration(customer=existing, outcome=Outcome.ALREADY_REGISTERED, sent=None)
    with db.session.begin_nested():
        if existing is None:
            customer = create_customer(
                merchant,
                fields,
                actor=actor,
                confirmed=False,
                registered_by=RegisteredBy.PARTNER,
                partner_id=partner_id,
            )
            outcome = Outcome.CREATED
        else:
            customer = existing
            details = {key: value for key, value in fields.items() if key != "phone"}
            update_customer(customer, details, actor=actor)
            customer.registered_by = RegisteredBy.PARTNER
            customer.partner_id = partner_id
            outcome = Outcome.REUSED
        # A tick records a grant; an unticked box leaves an earlier choice as it was.
        wanted = {ch: True for ch in CHANNELS if data.get(f"{ch}_consent") is True}
        record_consents(customer, wanted, "assistant", actor=actor)
        sent = send_code(merchant, e164, customer=customer, actor=actor, purpose=SEND_PURPOSE)
        record_audit(
            merchant_id=merchant.id,
            customer_id=customer.id,
            actor=actor,
            action=REGISTERED_ACTION,
            note=f"{outcome.value}; partner {partner_id}",
        )
        db.session.flush()
    return Registration(customer=customer, outcome=outcome, sent=sent)


def find_shopper(assistant: StaffUser, customer_id: int | str) -> Customer:
    """A shopper the assistant's partner registered, by id; any other id is NotFound,
    with the same answer as another merchant's customer."""
    _require_assistant(assistant)
    customer = get_customer(assistant.merchant_id, customer_id)
    if not _registered_by(assistant, customer):
        raise NotFound(NOT_FOUND_MESSAGE)
    return customer


def resend_code(assistant: StaffUser, customer_id: int | str) -> tuple[Customer, SentCode]:
    """Send a (new) code to a shopper of this merchant, under the sign-up's send limits."""
    customer = find_shopper(assistant, customer_id)
    with db.session.begin_nested():
        sent = send_code(
            assistant.merchant,
            phone_to_verify(customer),
            customer=customer,
            actor=assistant.email,
            purpose=SEND_PURPOSE,
        )
    return customer, sent


def verify_shopper(assistant: StaffUser, customer_id: int | str, code: str) -> Customer:
    """Check the code the shopper reads out; success makes them a confirmed customer.

    A blank or malformed code is refused without using up an attempt. A wrong code raises
    a ServiceError with persist=True: the request boundary keeps the attempt.
    """
    customer = find_shopper(assistant, customer_id)
    digits = ascii_digits((code or "").strip())
    if not is_digits(digits) or not 4 <= len(digits) <= 8:
        raise ServiceError(AssistError.CODE_FORMAT, field="code")
    verified = verify_code(
        assistant.merchant, phone_to_verify(customer), digits, actor=assistant.email
    )
    if verified.id != customer.id:
        # A code for this number that was sent for someone else: not this shopper's.
        raise ServiceError(AssistError.CODE_NOT_THEIRS, field="code")
    return verified


def period_starts(assistant: StaffUser, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start of today and of this month in the shop's time zone, as UTC datetimes."""
    zone = shop_timezone(assistant.merchant.country_code, assistant.merchant.time_zone)
    local = (as_utc(now) or utcnow()).astimezone(zone)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    return day.astimezone(UTC), month.astimezone(UTC)


def _registrations(assistant: StaffUser, since: datetime) -> Any:
    return select(AuditEntry.customer_id, AuditEntry.created_at).where(
        AuditEntry.merchant_id == assistant.merchant_id,
        AuditEntry.actor == assistant.email,
        AuditEntry.action == REGISTERED_ACTION,
        AuditEntry.created_at >= since,
    )


def todays_shoppers(assistant: StaffUser, *, now: datetime | None = None) -> list[TodayEntry]:
    """The shoppers this assistant registered today, newest first, verified or pending."""
    _require_assistant(assistant)
    day_start, _ = period_starts(assistant, now)
    regs = _registrations(assistant, day_start).subquery()
    latest = (
        select(regs.c.customer_id, func.max(regs.c.created_at).label("at"))
        .group_by(regs.c.customer_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Customer, latest.c.at)
        .join(latest, latest.c.customer_id == Customer.id)
        .where(
            Customer.merchant_id == assistant.merchant_id,
            Customer.partner_id == assistant.partner_id,
            Customer.deleted_at.is_(None),
        )
        .order_by(latest.c.at.desc(), Customer.id.desc())
        .limit(TODAY_LIMIT)
    ).all()
    return [TodayEntry(customer=row[0], registered_at=as_utc(row[1])) for row in rows]


def registration_counts(assistant: StaffUser, *, now: datetime | None = None) -> tuple[int, int]:
    """(today, this month): distinct shoppers this assistant registered in each period."""
    _require_assistant(assistant)
    day_start, month_start = period_starts(assistant, now)
    regs = _registrations(assistant, min(day_start, month_start)).subquery()
    today_ids = case((regs.c.created_at >= day_start, regs.c.customer_id))
    row = db.session.execute(
        select(func.count(func.distinct(today_ids)), func.count(func.distinct(regs.c.customer_id)))
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def seconds_until_resend(sent_at: datetime | None, wait: int, now: datetime | None = None) -> int:
    """Seconds left before "Send a new code" is offered again (a courtesy, not a limit)."""
    if sent_at is None:
        return 0
    elapsed = ((as_utc(now) or utcnow()) - as_utc(sent_at)).total_seconds()  # type: ignore[operator]
    return max(0, int(wait - elapsed))
