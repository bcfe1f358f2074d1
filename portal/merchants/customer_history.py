"""Named queries for a customer's page: the audit trail, the status history, and the people
the trail names (one query per kind of actor, however many entries name them)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_, select

from portal.core.models import AuditEntry
from portal.customers.models import Customer
from portal.extensions import db
from portal.staff.models import StaffUser

TRAIL_LIMIT = 100
STATUS_ACTIONS = ("customer.created",)


def audit_trail(
    merchant_id: int, customer_id: int, *, limit: int = TRAIL_LIMIT
) -> list[AuditEntry]:
    """Who changed what on this customer, newest first (at most `limit` entries)."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.merchant_id == merchant_id, AuditEntry.customer_id == customer_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


def status_history(merchant_id: int, customer_id: int) -> list[AuditEntry]:
    """Creation and every activation action (accept, block, delete, restore...), oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.merchant_id == merchant_id,
                AuditEntry.customer_id == customer_id,
                or_(
                    AuditEntry.action.in_(STATUS_ACTIONS),
                    AuditEntry.action.like("status.%"),
                    AuditEntry.action.like("storefront.%"),
                ),
            )
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    )


def staff_named(
    merchant_id: int, *, emails: Collection[str], ids: Collection[int]
) -> list[StaffUser]:
    """This merchant's staff users with one of these e-mail addresses or ids, in one query
    (none when there is nothing to look up)."""
    if not emails and not ids:
        return []
    return list(
        db.session.scalars(
            select(StaffUser).where(
                StaffUser.merchant_id == merchant_id,
                or_(StaffUser.email.in_(list(emails)), StaffUser.id.in_(list(ids))),
            )
        )
    )


def customer_names(merchant_id: int, ids: Collection[int]) -> dict[int, str]:
    """id -> full name of this merchant's customers among `ids`, in one query."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Customer.id, Customer.full_name).where(
            Customer.merchant_id == merchant_id, Customer.id.in_(list(ids))
        )
    )
    return {row.id: row.full_name for row in rows}
