"""Possible duplicates of one customer: the same email, a phone held in another form, or
the same name in the same district.

Why per customer, by index: the customer page asks "is this person here twice?" while
the merchant reads the record, and a merchant-wide GROUP BY over a million customers
would be a scan on every page. Each rule below is one indexed lookup within the merchant
(the email index, the unique phone keys, the district-and-name index of migration 0026),
capped at LIMIT rows. Phones are stored in E.164 and unique per merchant, so two records
can only share a number through a pending change or a messenger handle typed as a phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select

from portal.core.errors import ServiceError
from portal.core.phone import normalise_phone
from portal.customers.models import Customer
from portal.extensions import db

LIMIT = 10
# Why a record was offered, in the order the page names the reasons.
EMAIL, PHONE, NAME = "email", "phone", "name"
REASONS = (EMAIL, PHONE, NAME)
# Messenger handles that are often a phone number typed in whatever form.
PHONE_HANDLES = ("whatsapp", "viber", "imo")


@dataclass
class Duplicate:
    """Another live customer of the same merchant, and why it may be the same person."""

    customer: Customer
    reasons: list[str] = field(default_factory=list)


def name_key(name: str | None) -> str:
    """What makes two spellings of a name one: case and runs of spaces do not count."""
    return " ".join((name or "").split()).lower()


def _handle_phones(customer: Customer) -> set[str]:
    """The customer's messenger handles that read as phone numbers, in E.164."""
    found = set()
    for handle in PHONE_HANDLES:
        raw = getattr(customer, handle)
        if not raw:
            continue
        try:
            found.add(normalise_phone(raw, customer.country_code, field=handle).e164)
        except ServiceError:
            continue
    return found


def _rules(customer: Customer) -> dict[str, ColumnElement[bool]]:
    rules: dict[str, ColumnElement[bool]] = {}
    if customer.email:
        rules[EMAIL] = Customer.email == customer.email
    phones = [p for p in (customer.phone, customer.unconfirmed_phone) if p]
    held = sorted(_handle_phones(customer) - set(phones))
    conditions = [Customer.unconfirmed_phone.in_(phones)] if phones else []
    if customer.unconfirmed_phone:
        conditions.append(Customer.phone == customer.unconfirmed_phone)
    if held:
        conditions.append(Customer.phone.in_(held))
    if conditions:
        rules[PHONE] = or_(*conditions)
    key = name_key(customer.full_name)
    if customer.region_id is not None and key:
        rules[NAME] = (Customer.region_id == customer.region_id) & (
            func.lower(Customer.full_name) == key
        )
    return rules


def possible_duplicates(customer: Customer, *, limit: int = LIMIT) -> list[Duplicate]:
    """Up to `limit` other live customers of the customer's merchant that match by one
    rule or more, each with its reasons; oldest first, as the record to keep usually is."""
    found: dict[int, Duplicate] = {}
    for reason, condition in _rules(customer).items():
        query = (
            select(Customer)
            .where(
                Customer.merchant_id == customer.merchant_id,
                Customer.id != customer.id,
                Customer.deleted_at.is_(None),
                condition,
            )
            .order_by(Customer.id)
            .limit(limit)
        )
        for other in db.session.scalars(query):
            found.setdefault(other.id, Duplicate(other)).reasons.append(reason)
    return [found[key] for key in sorted(found)][:limit]
