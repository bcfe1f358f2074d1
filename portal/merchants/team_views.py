"""/merchant/team: the owner's list of the shop's members (role, last sign-in, state)."""

from __future__ import annotations

from flask import render_template

from portal.core.zones import shop_clock
from portal.merchants.blueprint import bp
from portal.sessions import current_staff
from portal.staff.access import owner_only
from portal.staff.models import StaffUser
from portal.staff.team import list_members


@bp.get("/team")
@owner_only
def team() -> str:
    owner = current_staff()
    assert isinstance(owner, StaffUser)
    merchant = owner.merchant
    return render_template(
        "staff/team.html",
        members=list_members(merchant.id),
        clock=shop_clock(merchant.country_code, merchant.time_zone),
        current="merchants.team",
    )
