"""The card vault: checks a card and keeps only brand, last four digits and expiry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from portal.core.error_codes import LinkError
from portal.core.errors import ServiceError
from portal.core.inputs import ascii_digits, is_digits
from portal.customers.fields import ValidationFailed
from portal.customers.models import PaymentCard
from portal.extensions import db

# Leading digits -> brand, longest prefix first (enough for the brands customers use).
BRANDS: tuple[tuple[str, str], ...] = (
    ("34", "American Express"),
    ("37", "American Express"),
    ("62", "UnionPay"),
    ("35", "JCB"),
    ("4", "Visa"),
    ("5", "Mastercard"),
    ("2", "Mastercard"),
    ("6", "Discover"),
)


@dataclass(frozen=True)
class CheckedCard:
    """A card that passed validation: the only fields that may ever be kept."""

    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def expiry(self) -> str:
        return f"{self.exp_month:02d}/{self.exp_year % 100:02d}"


class CardVault(Protocol):
    """Where a checked card goes; a payment provider's vault can implement this too."""

    def store(self, customer_id: int, card: CheckedCard) -> PaymentCard: ...


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every card number carries."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def brand_of(digits: str) -> str:
    for prefix, brand in BRANDS:
        if digits.startswith(prefix):
            return brand
    return "Card"


def parse_expiry(raw: str) -> tuple[int, int] | None:
    """MM/YY, MM/YYYY or MM-YY into (month, four-digit year), else None."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*[/-]\s*(\d{2}|\d{4})\s*", raw or "")
    if not match:
        return None
    month, year = int(match.group(1)), int(match.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        return None
    return month, year


def check_card(data: dict[str, Any], *, today: date | None = None) -> CheckedCard:
    """Validate number (Luhn), expiry (not past) and CVC; return only what may be kept.

    Raises ValidationFailed with every wrong field; the messages never echo the input.
    """
    today = today or date.today()
    errors: dict[str, str] = {}
    digits = ascii_digits(re.sub(r"[\s-]", "", str(data.get("card_number") or "")))
    if not (is_digits(digits) and 12 <= len(digits) <= 19 and luhn_ok(digits)):
        errors["card_number"] = ServiceError(LinkError.CARD_NUMBER_INVALID, field="card_number")
    expiry = parse_expiry(str(data.get("expiry") or ""))
    if expiry is None:
        errors["expiry"] = ServiceError(LinkError.EXPIRY_INVALID, field="expiry")
    elif (expiry[1], expiry[0]) < (today.year, today.month):
        errors["expiry"] = ServiceError(LinkError.EXPIRY_PAST, field="expiry")
    cvc = ascii_digits(str(data.get("cvc") or "").strip())
    if not (is_digits(cvc) and len(cvc) in (3, 4)):
        errors["cvc"] = ServiceError(LinkError.CVC_INVALID, field="cvc")
    if errors:
        raise ValidationFailed(errors)
    assert expiry is not None
    return CheckedCard(
        brand=brand_of(digits), last4=digits[-4:], exp_month=expiry[0], exp_year=expiry[1]
    )


class DatabaseVault:
    """The default vault: one PaymentCard row per customer with brand, last4 and expiry."""

    def store(self, customer_id: int, card: CheckedCard) -> PaymentCard:
        row = db.session.scalar(
            db.select(PaymentCard).where(PaymentCard.customer_id == customer_id)
        )
        if row is None:
            row = PaymentCard(customer_id=customer_id)
            db.session.add(row)
        row.brand = card.brand
        row.last4 = card.last4
        row.exp_month = card.exp_month
        row.exp_year = card.exp_year
        db.session.flush()
        return row


def default_vault() -> CardVault:
    return DatabaseVault()
