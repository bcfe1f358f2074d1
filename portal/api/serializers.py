"""The customer object of the API: the union of the documents' fields; codes never shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from portal.customers.models import Customer


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def echo_code(code: str | None) -> str | None:
    """A code is only ever echoed in testing with OTP_IN_RESPONSES; otherwise null."""
    config = current_app.config
    if config.get("TESTING") and config.get("OTP_IN_RESPONSES"):
        return code
    return None


def customer_object(customer: Customer) -> dict[str, Any]:
    """Document 001's and document 004's customer fields in one object."""
    return {
        "id": customer.id,
        "customer_id": customer.public_id,
        "phone_number": customer.phone,
        "unconfirmed_phone_number": customer.unconfirmed_phone,
        "country_code": customer.country_code,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "name": customer.full_name,
        "external_customer_id": customer.external_customer_id,
        "external_customer_code": customer.external_customer_code,
        "billing_address_url": None,
        "shipping_address_url": None,
        "card_url": None,
        "confirmed_at": _iso(customer.confirmed_at),
        "confirmation_sent_at": _iso(customer.confirmation_sent_at),
        "created_at": _iso(customer.created_at),
        "created_by": customer.created_by,
        "updated_at": _iso(customer.modified_at or customer.created_at),
        "modified_at": _iso(customer.modified_at),
        "modified_by": customer.modified_by,
        "confirmation_token": echo_code(None),
    }
