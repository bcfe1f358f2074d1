"""The customer as integrations see it (the JSON API and webhook payloads): the union of
document 001's and document 004's fields. Codes are never part of it; the API adds an
echoed code only in testing (portal/api/serializers.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.customers.models import Customer


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def customer_object(
    customer: Customer,
    *,
    links: dict[str, str | None] | None = None,
    confirmation_token: str | None = None,
) -> dict[str, Any]:
    """Document 001's and document 004's customer fields in one object."""
    links = links or {}
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
        "billing_address_url": links.get("billing_url"),
        "shipping_address_url": links.get("shipping_url"),
        "card_url": links.get("card_url"),
        "confirmed_at": iso(customer.confirmed_at),
        "confirmation_sent_at": iso(customer.confirmation_sent_at),
        "created_at": iso(customer.created_at),
        "created_by": customer.created_by,
        "updated_at": iso(customer.modified_at or customer.created_at),
        "modified_at": iso(customer.modified_at),
        "modified_by": customer.modified_by,
        "confirmation_token": confirmation_token,
    }
