"""One customer's personal data: everything held about them as one export, or erased.

A customer may ask "what do you hold about me?" (export_customer) or "erase me"
(erase_customer). The export is the same dict for the console's download and the open
API, and holds no secrets: no code or token hashes, no card number beyond its last four
digits. The erasure keeps what the shop needs for its books (orders with their totals,
the fact that an erasure happened) and replaces everything that names or reaches the
person. Both take the customer already scoped to one merchant; they flush, the request
boundary commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update

from portal.core.audit import record_change
from portal.core.error_codes import CustomerError
from portal.core.errors import ServiceError
from portal.core.models import AuditEntry, Event
from portal.core.phone import normalise_phone
from portal.core.time import utcnow
from portal.customers.consent import consent_records, erase_consents
from portal.customers.merging import forget_merges, merged_records
from portal.customers.models import (
    Address,
    Customer,
    CustomerNote,
    CustomerTag,
    EditLink,
    Order,
    PaymentCard,
)
from portal.customers.notes import customer_notes
from portal.customers.services import end_sessions, mark_modified
from portal.customers.tags import customer_tags
from portal.extensions import db
from portal.otp.models import OtpChallenge, OtpSend

ERASED_NAME = "Erased customer"
EXPORTED = "customer.data_exported"
ERASED = "customer.erased"

# Customer columns that name or reach the person, emptied by an erasure. The name
# columns get the placeholder instead (full_name cannot be NULL).
PERSONAL_COLUMNS: tuple[str, ...] = (
    "phone",
    "unconfirmed_phone",
    "email",
    "date_of_birth",
    "age",
    "passport_number",
    "national_id_number",
    "address",
    "home_address",
    "postal_code",
    "region_id",
    "whatsapp",
    "viber",
    "imo",
    "line",
    "other_contact",
    "external_customer_id",
    "external_customer_code",
)
# Audit fields whose values say nothing about the person: they survive the stripping so
# the status history still reads. Every other field keeps its name, loses its values.
IMPERSONAL_FIELDS = frozenset(
    {"registration_status", "active_state", "category_code", "storefront_active", "is_loyal"}
)
# Event payloads (what webhooks deliver) carry ids, statuses and order details; these are
# the keys among them that say something about the person.
PERSONAL_PAYLOAD_KEYS = frozenset({"brand", "last4", "email", "phone", "name"})


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(customer: Customer) -> dict[str, Any]:
    """Document 003's field names where it has one (see portal/api/open.py), the
    portal's own column names for the rest."""
    region = customer.region
    return {
        "id": customer.id,
        "public_id": customer.public_id,
        "name": customer.full_name,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "unconfirmed_phone": customer.unconfirmed_phone,
        "country_code": customer.country_code,
        "email": customer.email,
        "gender": customer.gender,
        "date_of_birth": _iso(customer.date_of_birth),
        "age": customer.age,
        "nationality": customer.nationality,
        "passport_number": customer.passport_number,
        "national_id_number": customer.national_id_number,
        "language": customer.language,
        "address": customer.address,
        "home_address": customer.home_address,
        "district_id": customer.region_id,
        "district": region.district if region else None,
        "city": region.city if region else None,
        "province": region.province if region else None,
        "postal_code": customer.postal_code,
        "whatsapp": customer.whatsapp,
        "viber": customer.viber,
        "imo": customer.imo,
        "line": customer.line,
        "other": customer.other_contact,
        "category_code": customer.category_code,
        "registration_status": customer.registration_status,
        "is_active": customer.active_state,
        "storefront_active": customer.storefront_active,
        "is_loyal": customer.is_loyal,
        "sms_consent": customer.sms_consent,
        "email_consent": customer.email_consent,
        "user_type": customer.user_type,
        "external_customer_id": customer.external_customer_id,
        "external_customer_code": customer.external_customer_code,
        "registered_by": customer.registered_by,
        "created_at": _iso(customer.created_at),
        "confirmed_at": _iso(customer.confirmed_at),
        "last_order_at": _iso(customer.last_order_at),
        "deleted_at": _iso(customer.deleted_at),
    }


def _addresses(customer_id: int) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Address).where(Address.customer_id == customer_id).order_by(Address.id)
    )
    return [
        {
            "kind": a.kind,
            "recipient": a.recipient,
            "line1": a.line1,
            "line2": a.line2,
            "district_id": a.region_id,
            "postal_code": a.postal_code,
            "updated_at": _iso(a.updated_at),
        }
        for a in rows
    ]


def _card(customer_id: int) -> dict[str, Any] | None:
    """What the vault keeps: brand, last four digits, expiry; never more."""
    card = db.session.scalar(select(PaymentCard).where(PaymentCard.customer_id == customer_id))
    if card is None:
        return None
    return {
        "brand": card.brand,
        "last4": card.last4,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
    }


def _orders(customer: Customer) -> list[dict[str, Any]]:
    """Orders with items: the items relationship loads with one IN query (selectin)."""
    rows = db.session.scalars(
        select(Order)
        .where(Order.merchant_id == customer.merchant_id, Order.customer_id == customer.id)
        .order_by(Order.ordered_at, Order.id)
    ).all()
    return [
        {
            "order_id": o.id,
            "po_number": o.po_number,
            "date": _iso(o.ordered_at),
            "total_price": o.total_price,
            "product_status": o.product_status,
            "items": [
                {"product_name": i.product_name, "quantity": i.quantity, "price": i.price}
                for i in o.items
            ],
        }
        for o in rows
    ]


def _edit_links(customer: Customer) -> list[dict[str, Any]]:
    """Each link's purpose and life; the code's hash stays behind."""
    from portal.links.services import link_status

    rows = db.session.scalars(
        select(EditLink)
        .where(EditLink.merchant_id == customer.merchant_id, EditLink.customer_id == customer.id)
        .order_by(EditLink.created_at, EditLink.id)
    )
    return [
        {
            "purpose": link.purpose,
            "status": link_status(link),
            "created_at": _iso(link.created_at),
            "created_by": link.created_by,
            "expires_at": _iso(link.expires_at),
            "used_at": _iso(link.used_at),
            "revoked_at": _iso(link.revoked_at),
        }
        for link in rows
    ]


def _challenges_of(customer: Customer) -> Any:
    """The code challenges of this customer: bound to it, or to one of its numbers."""
    phones = [p for p in (customer.phone, customer.unconfirmed_phone) if p]
    return OtpChallenge.merchant_id == customer.merchant_id, or_(
        OtpChallenge.customer_id == customer.id, OtpChallenge.phone.in_(phones)
    )


def _verifications(customer: Customer) -> dict[str, Any]:
    """Codes sent and confirmations, by time: never the codes, their hashes or tokens."""
    challenges = db.session.scalars(
        select(OtpChallenge).where(*_challenges_of(customer)).order_by(OtpChallenge.id)
    ).all()
    sends = db.session.execute(
        select(OtpSend.challenge_id, OtpSend.sent_at)
        .where(OtpSend.challenge_id.in_([c.id for c in challenges]))
        .order_by(OtpSend.sent_at, OtpSend.id)
    ).all()
    sent: dict[int, list[str | None]] = {}
    for challenge_id, sent_at in sends:
        sent.setdefault(challenge_id, []).append(_iso(sent_at))
    events = db.session.scalars(
        select(Event)
        .where(
            Event.merchant_id == customer.merchant_id,
            Event.customer_id == customer.id,
            Event.type == "verification",
        )
        .order_by(Event.created_at, Event.id)
    )
    return {
        "codes": [
            {
                "phone": c.phone,
                "purpose": c.purpose,
                "created_at": _iso(c.created_at),
                "sent_at": sent.get(c.id, []),
                "attempts": c.attempts,
                "confirmed_at": _iso(c.consumed_at),
                "locked_at": _iso(c.locked_at),
            }
            for c in challenges
        ],
        "events": [{"kind": e.kind, "at": _iso(e.created_at)} for e in events],
    }


def _audit_scope(customer: Customer) -> tuple[Any, ...]:
    return AuditEntry.merchant_id == customer.merchant_id, AuditEntry.customer_id == customer.id


def _audit(customer: Customer) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(AuditEntry)
        .where(*_audit_scope(customer))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    return [
        {
            "action": e.action,
            "actor": e.actor,
            "at": _iso(e.created_at),
            "changes": e.changes,
            "note": e.note,
        }
        for e in rows
    ]


def _notes(customer: Customer) -> list[dict[str, Any]]:
    """The staff's notes on the customer, oldest first, with who wrote them."""
    return [
        {
            "body": note.body,
            "author": note.author.email if note.author else None,
            "created_at": _iso(note.created_at),
            "updated_at": _iso(note.updated_at),
        }
        for note in reversed(customer_notes(customer, limit=None))
    ]


def _consents(customer: Customer) -> dict[str, Any]:
    """Marketing consent now, and every grant or withdrawal with its source and the
    sentence shown, oldest first."""
    return {
        "sms": customer.sms_consent,
        "email": customer.email_consent,
        "records": [
            {
                "channel": r.channel,
                "granted": r.granted,
                "source": r.source,
                "wording": r.wording,
                "actor": r.actor,
                "at": _iso(r.created_at),
            }
            for r in consent_records(customer)
        ],
    }


def export_customer(customer: Customer, *, actor: str | None = None) -> dict[str, Any]:
    """Everything held about one customer, as JSON-ready data. With `actor`, the export
    itself is recorded in the audit trail (after the entries it lists)."""
    data = {
        "exported_at": _iso(utcnow()),
        "profile": _profile(customer),
        "consents": _consents(customer),
        "addresses": _addresses(customer.id),
        "payment_card": _card(customer.id),
        "orders": _orders(customer),
        "edit_links": _edit_links(customer),
        "verifications": _verifications(customer),
        "tags": [tag.name for tag in customer_tags(customer)],
        "notes": _notes(customer),
        "audit": _audit(customer),
        # Earlier records of the same person merged into this one (their data is above).
        "merged_records": [
            {"id": pointer.id, "merged_at": _iso(pointer.deleted_at)}
            for pointer in merged_records(customer)
        ],
    }
    if actor is not None:
        record_change(customer.merchant_id, customer.id, actor=actor, action=EXPORTED)
        db.session.flush()
    return data


def _stripped(changes: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same field names with their values as null (lists of values stay lists)."""
    if not changes:
        return changes
    out: dict[str, Any] = {}
    for field, value in changes.items():
        if field in IMPERSONAL_FIELDS:
            out[field] = value
        elif isinstance(value, list):
            out[field] = [None] * len(value)
        else:
            out[field] = None
    return out


def _strip_audit(customer: Customer) -> None:
    for entry in db.session.scalars(select(AuditEntry).where(*_audit_scope(customer))):
        cleaned = _stripped(entry.changes)
        if cleaned != entry.changes:
            entry.changes = cleaned
        entry.note = None
    events = db.session.scalars(
        select(Event).where(
            Event.merchant_id == customer.merchant_id, Event.customer_id == customer.id
        )
    )
    for event in events:
        if event.payload and PERSONAL_PAYLOAD_KEYS & set(event.payload):
            event.payload = {
                k: None if k in PERSONAL_PAYLOAD_KEYS else v for k, v in event.payload.items()
            }


def erase_customer(customer: Customer, *, actor: str) -> None:
    """Replace the customer's personal data with a placeholder, keep the orders.

    The phone becomes NULL, so the same number can sign up again as a new customer; the
    record is soft-deleted like the delete action, so it leaves the lists and the counts
    move by the same triggers. Sessions end, pending codes are deleted, unused edit links
    are revoked, and earlier audit entries keep their actions and field names but lose
    their values. The erasure's own entry names the actor and the time, nothing erased.
    """
    now = utcnow()
    # A record merged into this one is the same person: its pointer is erased too, and
    # the merge records lose the values they kept for undo.
    for pointer in merged_records(customer):
        erase_customer(pointer, actor=actor)
    forget_merges(customer)
    _end_access(customer, now)
    _delete_records(customer)
    # Both consents off and their records gone: no marketing reaches an erased customer.
    erase_consents(customer)
    _strip_audit(customer)
    _replace_personal(customer, now)
    mark_modified(customer, actor)
    record_change(customer.merchant_id, customer.id, actor=actor, action=ERASED)
    db.session.flush()


def _end_access(customer: Customer, now: datetime) -> None:
    """Every way back in: sessions, pending codes (with their send log), unused links.
    Runs first, while the phone numbers still find the codes sent to them."""
    end_sessions(customer)
    challenge_ids = select(OtpChallenge.id).where(*_challenges_of(customer)).scalar_subquery()
    db.session.execute(
        delete(OtpSend)
        .where(OtpSend.challenge_id.in_(challenge_ids))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(OtpChallenge)
        .where(*_challenges_of(customer))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(EditLink)
        .where(
            EditLink.merchant_id == customer.merchant_id,
            EditLink.customer_id == customer.id,
            EditLink.used_at.is_(None),
            EditLink.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )


def _delete_records(customer: Customer) -> None:
    """The address records, the stored card, the staff's notes and the tags on the
    customer: personal through and through (the merchant's tags themselves stay)."""
    for model in (Address, PaymentCard, CustomerNote, CustomerTag):
        db.session.execute(
            delete(model)
            .where(model.customer_id == customer.id)
            .execution_options(synchronize_session="fetch")
        )


def _replace_personal(customer: Customer, now: datetime) -> None:
    """The placeholder name, NULL for the rest, and out of the lists."""
    for column in PERSONAL_COLUMNS:
        setattr(customer, column, None)
    customer.first_name = ERASED_NAME
    customer.last_name = None
    customer.full_name = ERASED_NAME
    customer.gender = None
    customer.nationality = None
    customer.is_otp_verified = False
    if customer.deleted_at is None:
        customer.deleted_at = now


def check_typed_phone(customer: Customer, typed: str | None) -> None:
    """The erasure's confirmation: `typed` must be the customer's number in any local or
    international form (compared as E.164), else a refusal on the `phone` field."""
    numbers = {p for p in (customer.phone, customer.unconfirmed_phone) if p}
    try:
        e164 = normalise_phone(typed, customer.country_code or customer.merchant.country_code)
    except ServiceError:
        e164 = None
    if e164 is None or e164.e164 not in numbers:
        raise ServiceError(CustomerError.ERASE_PHONE_MISMATCH, field="phone")


def is_erased(customer: Customer) -> bool:
    """Whether the customer's personal data has been erased (an erased customer keeps
    the placeholder name and no phone at all)."""
    return (
        customer.full_name == ERASED_NAME
        and customer.phone is None
        and customer.unconfirmed_phone is None
    )
