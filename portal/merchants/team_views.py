"""/merchant/team: the owner's list of the shop's members (role, last sign-in, state), and
deactivating or reactivating one after a confirmation page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.core.zones import shop_clock
from portal.merchants.blueprint import bp
from portal.sessions import current_staff
from portal.staff.access import owner_only, staff_actor
from portal.staff.models import StaffUser
from portal.staff.team import get_member, list_members, set_active


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


def _member(member_id: int) -> tuple[StaffUser, StaffUser]:
    """The signed-in owner and one member of their shop; another shop's id, or their own
    row (an owner never switches themselves off), is 404."""
    owner = current_staff()
    assert isinstance(owner, StaffUser)
    member = get_member(owner.merchant_id, member_id)
    if member is None or member.id == owner.id:
        abort(404)
    return owner, member


def _known(action: str) -> None:
    """Only deactivate and reactivate exist; any other word is a page that is not there."""
    if action not in ACTIONS:
        abort(404)


ACTIONS = ("deactivate", "reactivate")


@bp.get("/team/<int:member_id>/<action>")
@owner_only
def team_confirm(member_id: int, action: str) -> str:
    _owner, member = _member(member_id)
    _known(action)
    return render_template("staff/team_confirm.html", member=member, action=action)


@bp.post("/team/<int:member_id>/<action>")
@owner_only
def team_set_active(member_id: int, action: str) -> Response:
    owner, member = _member(member_id)
    _known(action)
    set_active(member, action == "reactivate", actor=staff_actor(owner))
    flash(
        gettext("The team member was deactivated.")
        if action == "deactivate"
        else gettext("The team member was reactivated.")
    )
    return redirect(url_for("merchants.team"), code=303)
