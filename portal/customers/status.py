"""Document 003's activation actions as one state machine, shared by console and API."""

from __future__ import annotations

from dataclasses import dataclass

from portal.core.audit import record_change
from portal.core.error_codes import CustomerError
from portal.core.errors import Conflict, ServiceError
from portal.core.time import utcnow
from portal.customers.models import ActiveState, Customer, RegistrationStatus
from portal.customers.services import end_sessions
from portal.extensions import db

R = RegistrationStatus


@dataclass(frozen=True)
class Action:
    code: str  # document 003's status value
    name: str  # stable name used in URLs and audit entries
    label: str  # button text
    past: str  # "has been <past>"
    allowed_from: frozenset[str]  # registration statuses it applies to
    destructive: bool = False


ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action("1", "accept", "Accept", "accepted", frozenset({R.REQUESTED})),
        Action("0", "refuse", "Refuse", "refused", frozenset({R.REQUESTED}), destructive=True),
        Action("2", "activate", "Activate", "activated", frozenset({R.UNREGISTERED, R.INACTIVE})),
        Action(
            "4",
            "block",
            "Block",
            "blocked",
            frozenset({R.UNREGISTERED, R.REGISTERED, R.INACTIVE, R.REQUESTED}),
            destructive=True,
        ),
        Action("6", "unblock", "Unblock", "unblocked", frozenset({R.BLOCKED})),
        Action(
            "5",
            "delete",
            "Delete",
            "deleted",
            frozenset({R.UNREGISTERED, R.REGISTERED, R.BLOCKED, R.INACTIVE, R.REQUESTED}),
            destructive=True,
        ),
    )
}
BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS.values()}


def find_action(value: str) -> Action:
    """Accept document 003's code ('4') or the name ('block')."""
    action = ACTIONS.get(str(value)) or BY_NAME.get(str(value).lower())
    if action is None:
        raise ServiceError(CustomerError.STATUS_INVALID, field="status")
    return action


def allowed_actions(customer: Customer) -> list[Action]:
    """The actions that make sense for this customer now, in button order."""
    if customer.deleted_at is not None:
        return []
    return [a for a in ACTIONS.values() if customer.registration_status in a.allowed_from]


def apply_action(
    customer: Customer,
    value: str,
    *,
    actor: str,
    category: str | None = None,
) -> str:
    """Run one activation action; returns the message, e.g. "Budi has been blocked"."""
    from portal.customers.services import update_customer

    action = find_action(value)
    if customer.deleted_at is not None:
        raise ServiceError(CustomerError.DELETED, status=404)
    if customer.registration_status not in action.allowed_from:
        raise ServiceError(
            CustomerError.TRANSITION_INVALID,
            field="status",
            status=409,
            action=action.name,
            current=status_label(customer.registration_status),
        )
    if category:
        update_customer(customer, {"category_code": category}, actor=actor)
    before = (customer.registration_status, customer.active_state)
    if action.name == "accept" or action.name == "activate":
        customer.registration_status = R.REGISTERED
        customer.active_state = ActiveState.ACTIVE
    elif action.name == "refuse":
        customer.registration_status = R.UNREGISTERED
        customer.active_state = ActiveState.NON_ACTIVE
    elif action.name == "block":
        customer.registration_status = R.BLOCKED
        end_sessions(customer)
    elif action.name == "unblock":
        customer.registration_status = R.REGISTERED if customer.confirmed_at else R.UNREGISTERED
    elif action.name == "delete":
        customer.deleted_at = utcnow()
        end_sessions(customer)
    customer.modified_by = actor
    customer.modified_at = utcnow()
    db.session.flush()
    record_change(
        merchant_id=customer.merchant_id,
        customer_id=customer.id,
        actor=actor,
        action=f"status.{action.name}",
        event="customer.deleted" if action.name == "delete" else "customer.status_changed",
        kind=action.name,
        payload={"registration_status": customer.registration_status},
        changes={
            "registration_status": [before[0], customer.registration_status],
            "active_state": [before[1], customer.active_state],
        },
    )
    return f"{customer.full_name or 'Customer'} has been {action.past}"


def restore_customer(customer: Customer, *, actor: str) -> str:
    """Undo a soft delete (owners only; the view checks the role)."""
    if customer.deleted_at is None:
        raise Conflict(CustomerError.NOT_DELETED)
    customer.deleted_at = None
    customer.modified_by = actor
    customer.modified_at = utcnow()
    db.session.flush()
    record_change(
        merchant_id=customer.merchant_id,
        customer_id=customer.id,
        actor=actor,
        action="status.restore",
        event="customer.status_changed",
        kind="restore",
    )
    return f"{customer.full_name or 'Customer'} has been restored"


STATUS_LABELS = {
    R.UNREGISTERED: "Unregistered",
    R.REGISTERED: "Registered",
    R.BLOCKED: "Blocked",
    R.INACTIVE: "Inactive",
    R.REQUESTED: "Requested",
}


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)
