"""/merchant/team: the owner's list of the shop's members (role, last sign-in, two-factor
sign-in, state), deactivating or reactivating one after a confirmation page, and the
owner's rule that every member signs in with two factors."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.core.errors import ServiceError
from portal.core.zones import shop_clock
from portal.form_errors import refused_submission, show_refusal
from portal.merchants.blueprint import bp
from portal.sessions import current_staff
from portal.staff.access import owner_only, staff_actor
from portal.staff.forms import TeamTwoFactorForm
from portal.staff.models import StaffUser
from portal.staff.team import get_member, list_members, set_active
from portal.staff.two_factor import is_enabled, members_with_two_factor, require_for_team


@bp.get("/team")
@owner_only
def team() -> Response:
    owner = current_staff()
    assert isinstance(owner, StaffUser)
    form = TeamTwoFactorForm(formdata=None, required=bool(owner.merchant.require_two_factor))
    return _team_page(owner, form, 200)


def _team_page(owner: StaffUser, form: TeamTwoFactorForm, status: int) -> Response:
    merchant = owner.merchant
    page = render_template(
        "staff/team.html",
        members=list_members(merchant.id),
        with_two_factor=members_with_two_factor(merchant.id),
        owner_has_two_factor=is_enabled(owner),
        two_factor_form=form,
        clock=shop_clock(merchant.country_code, merchant.time_zone),
        current="merchants.team",
    )
    return make_response(page, status)


@bp.post("/team/two-factor")
@owner_only
def team_two_factor() -> Response:
    """Require (or stop requiring) two-factor sign-in of every member of the shop."""
    owner = current_staff()
    assert isinstance(owner, StaffUser)
    form = TeamTwoFactorForm()
    if not form.validate_on_submit():
        return _team_page(owner, form, refused_submission(form))
    try:
        require_for_team(owner.merchant, bool(form.required.data), owner=owner)
    except ServiceError as err:
        show_refusal(form, err)
        return _team_page(owner, form, err.status)
    flash(gettext("The team's sign-in rule was saved."), "success")
    return redirect(url_for("merchants.team"), code=303)


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
