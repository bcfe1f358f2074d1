"""Document 003's activation actions as one state machine, shared by console and API."""

from __future__ import annotations

from dataclasses import dataclass

from portal.core.audit import record_change
from portal.core.error_codes import CustomerError, MergeError
from portal.core.errors import Conflict, ServiceError
from portal.core.time import utcnow
from portal.customers.models import ActiveState, Customer, RegistrationStatus
from portal.customers.services import end_sessions, mark_modified

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
    note: str | None = None,
) -> str:
    """Run one activation action; returns the message, e.g. "Budi has been blocked".
    `note` (a reason the merchant gave) goes into the audit entry."""
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
    before = _state(customer)
    _move(customer, action.name)
    mark_modified(customer, actor)
    record_change(
        customer.merchant_id,
        customer.id,
        actor=actor,
        action=f"status.{action.name}",
        payload={"registration_status": customer.registration_status},
        changes={field: [before[field], now] for field, now in _state(customer).items()},
        note=note,
    )
    return f"{customer.full_name or 'Customer'} has been {action.past}"


def _state(customer: Customer) -> dict[str, str]:
    return {
        "registration_status": customer.registration_status,
        "active_state": customer.active_state,
    }


def _move(customer: Customer, action: str) -> None:
    """The state an action leaves the customer in; blocking and deleting also end every
    session the customer has open."""
    if action in ("accept", "activate"):
        customer.registration_status = R.REGISTERED
        customer.active_state = ActiveState.ACTIVE
    elif action == "refuse":
        customer.registration_status = R.UNREGISTERED
        customer.active_state = ActiveState.NON_ACTIVE
    elif action == "block":
        customer.registration_status = R.BLOCKED
    elif action == "unblock":
        customer.registration_status = R.REGISTERED if customer.confirmed_at else R.UNREGISTERED
    elif action == "delete":
        customer.deleted_at = utcnow()
    if action in ("block", "delete"):
        end_sessions(customer)


def restore_customer(customer: Customer, *, actor: str) -> str:
    """Undo a soft delete (owners only; the view checks the role)."""
    if customer.deleted_at is None:
        raise Conflict(CustomerError.NOT_DELETED)
    if customer.merged_into_id is not None:
        raise Conflict(MergeError.MERGED)
    customer.deleted_at = None
    mark_modified(customer, actor)
    record_change(customer.merchant_id, customer.id, actor=actor, action="status.restore")
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
