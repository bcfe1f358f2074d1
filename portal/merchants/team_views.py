"""/merchant/team: the owner's list of the shop's members (role, last sign-in, two-factor
sign-in, state), deactivating or reactivating one after a confirmation page, and the
owner's rule that every member signs in with two factors. Invitations and role changes
are portal/merchants/team_invitation_views.py; the page itself is drawn here."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.core.errors import ServiceError
from portal.core.time import utcnow
from portal.core.zones import shop_clock
from portal.form_errors import refused_submission, show_refusal
from portal.merchants.blueprint import bp
from portal.sessions import current_staff
from portal.staff.access import owner_only, staff_actor
from portal.staff.forms import InviteForm, TeamTwoFactorForm
from portal.staff.invitations import pending_invitations, role_key_of, role_keys
from portal.staff.models import Permission, StaffUser
from portal.staff.team import get_member, list_members, set_active
from portal.staff.two_factor import is_enabled, members_with_two_factor, require_for_team


@bp.get("/team")
@owner_only
def team() -> Response:
    owner = current_staff()
    assert isinstance(owner, StaffUser)
    return team_page(owner)


def role_choices(merchant_id: int) -> list[tuple[str, str]]:
    """The roles an owner can give, as (key, label) for a select."""
    labels = {
        Permission.SYSTEM: _l("Staff, can make changes"),
        Permission.OVERVIEW: _l("Staff, can read only"),
    }
    return [
        (
            key,
            str(labels[key])
            if partner is None
            else gettext("Shop assistant at %(partner)s", partner=partner.name),
        )
        for key, partner in role_keys(merchant_id)
    ]


def team_page(
    owner: StaffUser,
    status: int = 200,
    *,
    two_factor_form: TeamTwoFactorForm | None = None,
    invite_form: InviteForm | None = None,
) -> Response:
    """The team page, with a refused form's errors when there is one."""
    merchant = owner.merchant
    choices = role_choices(merchant.id)
    if invite_form is None:
        invite_form = InviteForm(formdata=None)
    invite_form.role.choices = choices
    if two_factor_form is None:
        required = bool(merchant.require_two_factor)
        two_factor_form = TeamTwoFactorForm(formdata=None, required=required)
    page = render_template(
        "staff/team.html",
        members=list_members(merchant.id),
        invitations=pending_invitations(merchant.id),
        invite_form=invite_form,
        role_choices=choices,
        role_key=role_key_of,
        now=utcnow(),
        with_two_factor=members_with_two_factor(merchant.id),
        owner_has_two_factor=is_enabled(owner),
        two_factor_form=two_factor_form,
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
        return team_page(owner, refused_submission(form), two_factor_form=form)
    try:
        require_for_team(owner.merchant, bool(form.required.data), owner=owner)
    except ServiceError as err:
        show_refusal(form, err)
        return team_page(owner, err.status, two_factor_form=form)
    flash(gettext("The team's sign-in rule was saved."), "success")
    return redirect(url_for("merchants.team"), code=303)


def owner_and_member(member_id: int) -> tuple[StaffUser, StaffUser]:
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
    _owner, member = owner_and_member(member_id)
    _known(action)
    return render_template("staff/team_confirm.html", member=member, action=action)


@bp.post("/team/<int:member_id>/<action>")
@owner_only
def team_set_active(member_id: int, action: str) -> Response:
    owner, member = owner_and_member(member_id)
    _known(action)
    set_active(member, action == "reactivate", actor=staff_actor(owner))
    flash(
        gettext("The team member was deactivated.")
        if action == "deactivate"
        else gettext("The team member was reactivated.")
    )
    return redirect(url_for("merchants.team"), code=303)
