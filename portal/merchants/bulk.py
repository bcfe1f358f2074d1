"""Bulk actions on customers selected in the console list: activation actions and tags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.core.error_codes import MerchantError
from portal.core.errors import ServiceError
from portal.core.inputs import parse_id
from portal.customers.models import Customer
from portal.customers.status import Action, apply_action, find_action
from portal.customers.tags import (
    MAX_TAGS,
    add_tag,
    carrying,
    clean_tag,
    find_tag,
    remove_tag,
    tag_counts,
)
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


@dataclass
class TagPlan:
    """A bulk "Add tag" or "Remove tag": whom it changes, and whom it skips (they already
    carry the tag or 50 tags, or do not carry the tag to remove)."""

    adding: bool
    tag: str
    done: list[Customer] = field(default_factory=list)
    skipped: list[Customer] = field(default_factory=list)


def plan_bulk_tag(
    merchant_id: int, customers: list[Customer], name: str, *, adding: bool
) -> TagPlan:
    """Sort the selected customers by whether the tag change applies to them (the tag's
    name is checked first: ServiceError on field `tag`)."""
    clean = clean_tag(name)
    tag = find_tag(merchant_id, clean)
    plan = TagPlan(adding=adding, tag=tag.name if tag else clean)
    ids = [c.id for c in customers]
    have = carrying(tag, ids)
    counts = tag_counts(ids) if adding else {}
    for customer in customers:
        if adding:
            fits = customer.id not in have and counts.get(customer.id, 0) < MAX_TAGS
        else:
            fits = customer.id in have
        (plan.done if fits else plan.skipped).append(customer)
    return plan


def apply_bulk_tag(plan: TagPlan, *, actor: str) -> None:
    """Carry a tag plan out, customer by customer (each change gets its audit entry)."""
    if plan.adding:
        for customer in plan.done:
            add_tag(customer, plan.tag, actor=actor)
        return
    tag = find_tag(plan.done[0].merchant_id, plan.tag) if plan.done else None
    for customer in plan.done if tag is not None else []:
        remove_tag(customer, tag, actor=actor)
