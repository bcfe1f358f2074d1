"""Storefront account activation (document 003's privor-activation)."""

from __future__ import annotations

from typing import Any

from portal.core.audit import record_change
from portal.core.error_codes import CustomerError
from portal.core.errors import Conflict, ServiceError
from portal.customers.labels import split_full_name
from portal.customers.models import Customer
from portal.customers.services import mark_modified, update_customer


def set_storefront_access(
    customer: Customer,
    *,
    active: bool,
    actor: str,
    email: str | None = None,
    name: str | None = None,
    phone: str | None = None,
) -> None:
    """Turn the customer's storefront account on or off, optionally updating contact data.

    Name, phone and email go through update_customer, so they get the same validation
    (normalised phone, checked email, unique phone per merchant) as every other edit.
    A deleted customer cannot be changed; a blocked one cannot be activated.
    """
    if customer.deleted_at is not None:
        raise ServiceError(CustomerError.DELETED, status=404)
    if active and customer.is_blocked:
        raise Conflict(CustomerError.STOREFRONT_BLOCKED)
    changes: dict[str, Any] = {}
    if email is not None and email != (customer.email or ""):
        changes["email"] = email
    if name is not None and name.strip() and name.strip() != customer.full_name:
        changes["first_name"], changes["last_name"] = split_full_name(name)
    if phone is not None and str(phone).strip():
        changes["phone"] = str(phone).strip()
    if changes:
        update_customer(customer, changes, actor=actor)
    if customer.storefront_active == active:
        return
    customer.storefront_active = active
    mark_modified(customer, actor)
    record_change(
        customer.merchant_id,
        customer.id,
        actor=actor,
        action="storefront.activated" if active else "storefront.deactivated",
        payload={"storefront_active": active},
        changes={"storefront_active": [not active, active]},
    )
