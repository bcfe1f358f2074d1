"""The customer object of the API: the union of the documents' fields; codes never shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, request

from portal.customers.models import Customer


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def echo_code(code: str | None) -> str | None:
    """A code is only ever echoed in testing with OTP_IN_RESPONSES; otherwise null."""
    config = current_app.config
    if config.get("TESTING") and config.get("OTP_IN_RESPONSES"):
        return code
    return None


def edit_links(customer: Customer, *, actor: str) -> dict[str, str | None]:
    """Fresh short-lived edit links (document 001's *_url fields), absolute URLs."""
    from portal.links.services import issue_link

    root = request.url_root.rstrip("/")
    return {
        f"{purpose}_url": root + issue_link(customer, purpose, actor=actor).url_path
        for purpose in ("billing", "shipping", "card")
    }


def customer_object(
    customer: Customer, *, links: dict[str, str | None] | None = None, code: str | None = None
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
        "confirmed_at": _iso(customer.confirmed_at),
        "confirmation_sent_at": _iso(customer.confirmation_sent_at),
        "created_at": _iso(customer.created_at),
        "created_by": customer.created_by,
        "updated_at": _iso(customer.modified_at or customer.created_at),
        "modified_at": _iso(customer.modified_at),
        "modified_by": customer.modified_by,
        "confirmation_token": echo_code(code),
    }


def partner_customer_object(customer: Customer, *, code: str | None = None) -> dict[str, Any]:
    """Document 000's `customer_id` object; `otp` is null outside test mode."""
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
        "nid": customer.national_id_number,
        "home_address": customer.home_address,
        "status": "active" if customer.active_state == "Y" else "inactive",
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "created_at": _iso(customer.created_at),
        "updated_at": _iso(customer.modified_at or customer.created_at),
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
        "verified_at": _iso(customer.confirmed_at),
        "is_app_download": None,
        "has_smart_phone": None,
        "partner_id": customer.partner_id,
        "is_otp_verified": customer.is_otp_verified,
    }
