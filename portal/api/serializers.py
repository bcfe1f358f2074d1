"""The customer object of the API: the union of the documents' fields; codes never shown."""

from __future__ import annotations

from typing import Any

from flask import current_app

from portal.customers.masking import shown_document
from portal.customers.models import Customer
from portal.customers.representation import customer_object as base_customer_object
from portal.customers.representation import iso
from portal.security import public_url


def echo_code(code: str | None) -> str | None:
    """A code is only ever echoed in testing with OTP_IN_RESPONSES; otherwise null."""
    config = current_app.config
    if config.get("TESTING") and config.get("OTP_IN_RESPONSES"):
        return code
    return None


def edit_links(customer: Customer, *, actor: str) -> dict[str, str | None]:
    """Fresh short-lived edit links (document 001's *_url fields), absolute URLs."""
    from portal.links.services import issue_link

    return {
        f"{purpose}_url": public_url(issue_link(customer, purpose, actor=actor).url_path)
        for purpose in ("billing", "shipping", "card")
    }


def customer_object(
    customer: Customer, *, links: dict[str, str | None] | None = None, code: str | None = None
) -> dict[str, Any]:
    """The customer object, with the code echoed only where tests ask for it."""
    return base_customer_object(customer, links=links, confirmation_token=echo_code(code))


def partner_customer_object(
    customer: Customer, *, code: str | None = None, documents: bool = False
) -> dict[str, Any]:
    """Document 000's `customer_id` object; `otp` is null outside test mode, and `nid`
    is masked unless `documents` (the token may see it: portal/customers/masking.py)."""
    return {
        "id": customer.id,
        "otp": echo_code(code),
        "email": customer.email,
        "phone": customer.display_phone,
        "age": customer.age,
        "full_name": customer.full_name,
        "is_deleted": customer.deleted_at is not None,
        "whatsapp": customer.whatsapp,
        "viber": customer.viber,
        "imo": customer.imo,
        "nid": shown_document(customer.national_id_number, unmasked=documents),
        "home_address": customer.home_address,
        "status": "active" if customer.active_state == "Y" else "inactive",
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "created_at": iso(customer.created_at),
        "updated_at": iso(customer.modified_at or customer.created_at),
        "is_loyal": customer.is_loyal,
        "gender": customer.gender,
        "registerable_type": "Partner" if customer.partner_id else None,
        "registerable_id": customer.partner_id,
        "user_type": customer.user_type,
        "date_of_birth": customer.date_of_birth.isoformat() if customer.date_of_birth else None,
        "temporary_otp": None,
        "temporary_phone": customer.unconfirmed_phone,
        "category": customer.category_code,
        "verifiable_type": None,
        "verifiable_id": None,
        "verified_at": iso(customer.confirmed_at),
        "is_app_download": None,
        "has_smart_phone": None,
        "partner_id": customer.partner_id,
        "is_otp_verified": customer.is_otp_verified,
    }
