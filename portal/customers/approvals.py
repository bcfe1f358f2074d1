"""Approvals: customers who asked to join (document 003's status R) wait here until the
merchant accepts or refuses them, one by one or together, with an optional reason.

Why this shape: the decision is document 003's accept / refuse action (status.py), so
the list, the API and this page move customers the same way and each customer gets
its audit entry (holding the reason) and event. The reason reaches the customer only
when the merchant ticks it, by SMS after the commit (a decision never waits on, or
fails with, the gateway). Undo needs no table: the decision hands back a signed,
10-minute token naming each customer and the state it left, and undoing puts back
only customers still in the state the decision gave them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, tuple_

from portal.core.audit import record_change
from portal.core.error_codes import MerchantError
from portal.core.errors import ServiceError
from portal.customers.models import ActiveState, Customer, RegistrationStatus
from portal.customers.services import mark_modified
from portal.customers.status import BY_NAME, apply_action
from portal.extensions import db
from portal.jobs.after_commit import enqueue_after_commit

log = logging.getLogger(__name__)

DECISIONS = ("accept", "refuse")
PAGE_SIZE = 50
MAX_DECIDED = 100
REASON_MAX = 300
UNDO_SECONDS = 10 * 60
UNDO_SALT = "approvals.undo"


@dataclass
class Decision:
    """What a decision did: the customers moved, those it no longer fitted, the token
    that undoes it."""

    name: str
    decided: list[Customer] = field(default_factory=list)
    skipped: int = 0
    undo_token: str = ""


def waiting(
    merchant_id: int, *, after_id: int | None = None, limit: int = PAGE_SIZE
) -> list[Customer]:
    """The oldest requests first, a page at a time after the customer `after_id` (its
    created_at and id are the keyset): read from the (merchant, status, created_at, id)
    index, never counted or offset. An `after_id` not of this merchant starts over."""
    query = (
        select(Customer)
        .where(
            Customer.merchant_id == merchant_id,
            Customer.registration_status == RegistrationStatus.REQUESTED,
            Customer.deleted_at.is_(None),
        )
        .order_by(Customer.created_at, Customer.id)
        .limit(limit)
    )
    after = db.session.get(Customer, after_id) if after_id is not None else None
    if after is not None and after.merchant_id == merchant_id:
        query = query.where(tuple_(Customer.created_at, Customer.id) > (after.created_at, after.id))
    return list(db.session.scalars(query))


def clean_reason(raw: str | None) -> str | None:
    """The reason as typed, trimmed; None when empty; too long is refused."""
    text = (raw or "").strip()
    if len(text) > REASON_MAX:
        raise ServiceError(MerchantError.REASON_TOO_LONG, field="reason", max=REASON_MAX)
    return text or None


def decide(
    merchant_id: int,
    ids: list[int],
    name: str,
    *,
    actor: str,
    reason: str | None = None,
    notify: bool = False,
) -> Decision:
    """Accept or refuse the merchant's waiting customers among `ids`; others (another
    merchant's, no longer waiting) are skipped. Flushes only."""
    if name not in DECISIONS:
        raise ServiceError(MerchantError.DECISION_INVALID, field="decision")
    if len(ids) > MAX_DECIDED:
        raise ServiceError(MerchantError.TOO_MANY_SELECTED, field="ids")
    reason = clean_reason(reason)
    if notify and reason is None:
        raise ServiceError(MerchantError.REASON_NEEDED_FOR_SMS, field="reason")
    found = waiting_among(merchant_id, ids)
    decision = Decision(name, skipped=len(set(ids)) - len(found))
    before = []
    for customer in found:
        before.append([customer.id, customer.active_state])
        apply_action(customer, BY_NAME[name].code, actor=actor, note=reason)
        if notify:
            enqueue_after_commit(send_decision_sms, customer.id, name, reason)
        decision.decided.append(customer)
    if found:
        decision.undo_token = _serializer().dumps({"m": merchant_id, "d": name, "c": before})
    return decision


def waiting_among(merchant_id: int, ids: list[int]) -> list[Customer]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Customer)
            .where(
                Customer.merchant_id == merchant_id,
                Customer.id.in_(ids),
                Customer.registration_status == RegistrationStatus.REQUESTED,
                Customer.deleted_at.is_(None),
            )
            .order_by(Customer.created_at, Customer.id)
        )
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNDO_SALT)


def undo(merchant_id: int, token: str, *, actor: str) -> int:
    """Put the customers of a decision made in the last 10 minutes back in the waiting
    list; a customer changed since is left alone. Returns how many moved back."""
    try:
        data = _serializer().loads(token, max_age=UNDO_SECONDS)
    except SignatureExpired:
        raise ServiceError(MerchantError.UNDO_EXPIRED, status=410) from None
    except BadSignature:
        raise ServiceError(MerchantError.UNDO_INVALID, status=400) from None
    if data.get("m") != merchant_id or data.get("d") not in DECISIONS:
        raise ServiceError(MerchantError.UNDO_INVALID, status=400)
    left = _left_state(data["d"])
    before = {int(i): str(state) for i, state in data.get("c", [])}
    moved = 0
    for customer in _live(merchant_id, list(before)):
        if (customer.registration_status, customer.active_state) != left:
            continue
        previous = (customer.registration_status, customer.active_state)
        customer.registration_status = RegistrationStatus.REQUESTED
        customer.active_state = before[customer.id]
        mark_modified(customer, actor)
        record_change(
            customer.merchant_id,
            customer.id,
            actor=actor,
            action="status.undo",
            payload={"registration_status": customer.registration_status},
            changes={
                "registration_status": [previous[0], customer.registration_status],
                "active_state": [previous[1], customer.active_state],
            },
            note=data["d"],
        )
        moved += 1
    return moved


def _left_state(name: str) -> tuple[str, str]:
    """The (registration_status, active_state) a decision leaves its customers in."""
    if name == "accept":
        return RegistrationStatus.REGISTERED, ActiveState.ACTIVE
    return RegistrationStatus.UNREGISTERED, ActiveState.NON_ACTIVE


def _live(merchant_id: int, ids: list[int]) -> list[Customer]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Customer).where(
                Customer.merchant_id == merchant_id,
                Customer.id.in_(ids),
                Customer.deleted_at.is_(None),
            )
        )
    )


def decision_sms_text(shop: str, name: str, reason: str, language: str | None) -> str:
    """'<shop>: your request to join was accepted. <reason>' in the customer's language."""
    with force_locale(language or "en"):
        if name == "accept":
            return gettext(
                "%(shop)s: your request to join was accepted. %(reason)s", shop=shop, reason=reason
            )
        return gettext(
            "%(shop)s: your request to join was not accepted. %(reason)s", shop=shop, reason=reason
        )


def send_decision_sms(customer_id: int, name: str, reason: str) -> None:
    """Job: text the decision and its reason, only to a customer who agreed to marketing
    SMS (portal/customers/consent.py); a gateway failure is logged, the decision stands
    (it committed before this ran)."""
    from portal.customers.consent import send_marketing_sms
    from portal.otp.sms import SmsError

    customer = db.session.get(Customer, customer_id)
    if customer is None or not customer.display_phone:
        return
    text = decision_sms_text(customer.merchant.name, name, reason, customer.language)
    try:
        if not send_marketing_sms(customer, text):
            log.info("decision SMS for customer %s not sent: no SMS consent", customer_id)
    except SmsError:
        log.warning("decision SMS for customer %s failed", customer_id)


__all__ = ["DECISIONS", "Decision", "decide", "undo", "waiting", "waiting_among"]
