"""Finding a customer by the last digits of their phone, as a shop asks "your number?"
and types "…5032".

A range on the E.164 column finds a number by its start; its end needs the digits read
backwards. PostgreSQL keeps an expression index on (merchant_id, reverse(phone)) with
text_pattern_ops (migration 0008), so `reverse(phone) LIKE '2305%'` is a range scan of
that index, as fast at a million customers as at ten thousand. SQLite has no reverse(),
and its embedded databases are small: it answers `phone LIKE '%5032'` from the
merchant's rows.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_

from portal.core.inputs import ascii_digits, is_digits
from portal.customers.models import Customer
from portal.extensions import db

# Fewer digits would match a large share of any list.
MIN_DIGITS = 4
# Migration 0008's PostgreSQL-only indexes, by the column they read backwards. Models do
# not declare them (SQLite has no reverse()), so Alembic's comparison leaves them out.
INDEXES = {
    "phone": "ix_customers_merchant_phone_reversed",
    "unconfirmed_phone": "ix_customers_merchant_unconfirmed_phone_reversed",
}
# What people type between the digits of a number they read out.
SEPARATORS = frozenset(" -.()…")


def suffix_digits(raw: str) -> str | None:
    """The digits of a keyword that may be the end of a number: MIN_DIGITS or more, typed
    without "+" (an international number is matched by its start) and with nothing but
    separators between them; None otherwise."""
    text = ascii_digits(raw.strip()).lstrip("…")
    if text.startswith("+"):
        return None
    if any(not is_digits(ch) and ch not in SEPARATORS for ch in text):
        return None
    digits = "".join(ch for ch in text if is_digits(ch))
    return digits if len(digits) >= MIN_DIGITS else None


def suffix_condition(digits: str) -> ColumnElement[bool]:
    """Customers whose phone, confirmed or waiting for confirmation, ends in `digits`
    (digits only, so nothing in them is a LIKE wildcard)."""
    columns = (Customer.phone, Customer.unconfirmed_phone)
    if db.session.get_bind().dialect.name == "postgresql":
        backwards = digits[::-1] + "%"
        return or_(*(func.reverse(column).like(backwards) for column in columns))
    return or_(*(column.like("%" + digits) for column in columns))
