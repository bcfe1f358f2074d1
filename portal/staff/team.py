"""The merchant's team as the owner sees it at /merchant/team: who is in it, in which role,
when they last signed in. Reads only; every query is scoped to the one merchant."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.staff.models import StaffUser


def list_members(merchant_id: int) -> list[StaffUser]:
    """The merchant's members (owners first, then by email), never another merchant's."""
    order = (StaffUser.role != "owner", StaffUser.email)
    query = select(StaffUser).where(StaffUser.merchant_id == merchant_id).order_by(*order)
    return list(db.session.scalars(query))
