"""The console's getting-started checklist for a new shop: each step ticked from the data
(a customer, an API token, a second member), until the owner hides it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from portal.core.audit import record_audit
from portal.core.time import utcnow
from portal.customers.models import Customer
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.staff.models import ApiToken, StaffUser


@dataclass(frozen=True)
class Checklist:
    """Which first steps the shop has taken."""

    has_customer: bool
    has_token: bool
    has_team: bool

    @property
    def done(self) -> bool:
        return self.has_customer and self.has_token and self.has_team

    @property
    def steps_done(self) -> int:
        return sum((self.has_customer, self.has_token, self.has_team))


def getting_started(merchant: Merchant) -> Checklist | None:
    """The checklist to show, or None once the owner hid it or every step is done. One
    query, and none at all after it is hidden."""
    if merchant.checklist_dismissed_at is not None:
        return None
    members = (
        select(func.count(StaffUser.id))
        .where(StaffUser.merchant_id == merchant.id)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            exists().where(Customer.merchant_id == merchant.id),
            exists().where(ApiToken.merchant_id == merchant.id),
            members,
        )
    ).one()
    checklist = Checklist(has_customer=bool(row[0]), has_token=bool(row[1]), has_team=row[2] > 1)
    return None if checklist.done else checklist


def dismiss_checklist(merchant: Merchant, *, actor: str) -> None:
    """Hide the checklist for the whole shop; audited."""
    if merchant.checklist_dismissed_at is not None:
        return
    merchant.checklist_dismissed_at = utcnow()
    db.session.flush()
    record_audit(merchant.id, actor=actor, action="settings.checklist_dismissed")
