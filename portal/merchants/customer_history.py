"""Named queries for a customer's page: the audit trail and the status history."""

from __future__ import annotations

from sqlalchemy import or_, select

from portal.core.models import AuditEntry
from portal.extensions import db

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
