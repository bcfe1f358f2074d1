"""The merchant's team as the owner sees it at /merchant/team: who is in it, in which role,
when they last signed in, and switching a member off or on. Every query is scoped to the
one merchant; changes only flush (portal/boundary.py commits)."""

from __future__ import annotations

from sqlalchemy import select

from portal.core.audit import record_audit
from portal.extensions import db
from portal.staff.models import StaffUser
from portal.staff.signin import end_staff_sessions


def list_members(merchant_id: int) -> list[StaffUser]:
    """The merchant's members (owners first, then by email), never another merchant's."""
    order = (StaffUser.role != "owner", StaffUser.email)
    query = select(StaffUser).where(StaffUser.merchant_id == merchant_id).order_by(*order)
    return list(db.session.scalars(query))


def get_member(merchant_id: int, member_id: int) -> StaffUser | None:
    """One member of this merchant; another merchant's id is None (the page answers 404)."""
    query = select(StaffUser).where(StaffUser.merchant_id == merchant_id, StaffUser.id == member_id)
    return db.session.scalar(query)


DEACTIVATED_ACTION = "team.member_deactivated"
REACTIVATED_ACTION = "team.member_reactivated"


def set_active(member: StaffUser, active: bool, *, actor: str) -> None:
    """Deactivate (every session ends on its next request) or reactivate a member; audited.
    The page never offers it on the owner's own row, so a shop keeps an owner."""
    if member.is_active == active:
        return
    member.is_active = active
    if not active:
        end_staff_sessions(member)
    record_audit(
        member.merchant_id,
        actor=actor,
        action=REACTIVATED_ACTION if active else DEACTIVATED_ACTION,
        changes={"staff": member.email},
    )
    db.session.flush()
