"""Bulk activation actions on customers selected in the console list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.core.error_codes import MerchantError
from portal.core.errors import ServiceError
from portal.core.inputs import parse_id
from portal.customers.models import Customer
from portal.customers.status import Action, apply_action, find_action
from portal.extensions import db

MAX_BULK = 100


@dataclass
class BulkResult:
    """Which selected customers the action was applied to, and which it did not fit."""

    action: Action
    done: list[Customer] = field(default_factory=list)
    skipped: list[Customer] = field(default_factory=list)


def parse_ids(values: Iterable[str | int]) -> list[int]:
    """Distinct positive integer ids in their given order; anything else is dropped."""
    ids: list[int] = []
    for value in values:
        number = parse_id(value)
        if number is not None and number not in ids:
            ids.append(number)
    return ids


def selected_customers(merchant_id: int, ids: list[int]) -> list[Customer]:
    """The merchant's live customers among `ids` (other merchants' ids simply do not match)."""
    if len(ids) > MAX_BULK:
        raise ServiceError(MerchantError.TOO_MANY_SELECTED, field="ids")
    if not ids:
        return []
    found = db.session.scalars(
        select(Customer).where(
            Customer.merchant_id == merchant_id,
            Customer.id.in_(ids),
            Customer.deleted_at.is_(None),
        )
    )
    by_id = {c.id: c for c in found}
    return [by_id[i] for i in ids if i in by_id]


def split_by_fit(customers: list[Customer], action: Action) -> BulkResult:
    """Sort customers into those the action applies to now and those it does not."""
    result = BulkResult(action=action)
    for customer in customers:
        fits = customer.registration_status in action.allowed_from
        (result.done if fits else result.skipped).append(customer)
    return result


def apply_bulk_action(
    merchant_id: int, ids: list[int], action_name: str, *, actor: str
) -> BulkResult:
    """Apply one activation action to every selected customer it fits; skip the rest.

    Each customer goes through apply_action, so each gets its audit entry and event.
    """
    action = find_action(action_name)
    plan = split_by_fit(selected_customers(merchant_id, ids), action)
    for customer in plan.done:
        apply_action(customer, action.code, actor=actor)
    return plan
