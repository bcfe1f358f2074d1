"""/merchant/team, the owner's changes to the team: inviting a member, sending a pending
invitation again or cancelling it (after a confirmation page), and changing a member's
role. The rules live in portal/staff/invitations.py; the page is drawn by team_views."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.extensions import limiter
from portal.form_errors import refused_submission, show_refusal
from portal.i18n.messages import translated
from portal.merchants.blueprint import bp
from portal.merchants.team_views import owner_and_member, team_page
from portal.security import public_url
from portal.sessions import current_staff
from portal.staff.access import owner_only
from portal.staff.forms import InviteForm, RoleForm
from portal.staff.invitations import (
    cancel_invitation,
    change_role,
    get_pending_invitation,
    invite_member,
    resend_invitation,
)
from portal.staff.models import StaffInvitation, StaffUser

# Every invitation mails someone: counted per owner (their whole shop may share one IP).
INVITE_LIMIT = "20 per hour"


def _owner_key() -> str:
    user = current_staff()
    return f"team-invite:staff:{user.id}" if user is not None else "team-invite:anonymous"


invite_limit = limiter.shared_limit(
    lambda: current_app.config.get("TEAM_INVITE_LIMIT", INVITE_LIMIT),
    scope="team-invite",
    key_func=_owner_key,
    methods=["POST"],
)


def _owner() -> StaffUser:
    owner = current_staff()
    assert isinstance(owner, StaffUser)  # guaranteed by @owner_only
    return owner


def _link_for(token: str) -> str:
    return public_url(url_for("invitations.accept", token=token))


@bp.post("/team/invite")
@owner_only
@invite_limit
def team_invite() -> Response:
    """Invite someone to the team by email, in the chosen role."""
    owner = _owner()
    form = InviteForm()
    if not form.validate_on_submit():
        return team_page(owner, refused_submission(form), invite_form=form)
    try:
        invite_member(
            owner.merchant,
            email=form.email.data,
            role=form.role.data or "",
            owner=owner,
            link_for=_link_for,
        )
    except ServiceError as err:
        show_refusal(form, err)
        return team_page(owner, err.status, invite_form=form)
    flash(gettext("The invitation was sent to %(email)s.", email=form.email.data), "success")
    return redirect(url_for("merchants.team"), code=303)


def _invitation(invitation_id: int) -> tuple[StaffUser, StaffInvitation]:
    """The owner and one pending invitation of their shop; any other id is 404."""
    owner = _owner()
    invitation = get_pending_invitation(owner.merchant_id, invitation_id)
    if invitation is None:
        abort(404)
    return owner, invitation


@bp.post("/team/invitations/<int:invitation_id>/resend")
@owner_only
@invite_limit
def team_invitation_resend(invitation_id: int) -> Response:
    """A new link for a pending invitation; the one mailed before stops working."""
    owner, invitation = _invitation(invitation_id)
    resend_invitation(invitation, owner=owner, link_for=_link_for)
    flash(gettext("The invitation was sent again to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("merchants.team"), code=303)


@bp.get("/team/invitations/<int:invitation_id>/cancel")
@owner_only
def team_invitation_confirm_cancel(invitation_id: int) -> str:
    _owner, invitation = _invitation(invitation_id)
    return render_template("staff/team_invitation_cancel.html", invitation=invitation)


@bp.post("/team/invitations/<int:invitation_id>/cancel")
@owner_only
def team_invitation_cancel(invitation_id: int) -> Response:
    """Withdraw a pending invitation: its link stops working."""
    owner, invitation = _invitation(invitation_id)
    cancel_invitation(invitation, owner=owner)
    flash(gettext("The invitation to %(email)s was cancelled.", email=invitation.email), "success")
    return redirect(url_for("merchants.team"), code=303)


@bp.post("/team/members/<int:member_id>/role")
@owner_only
def team_change_role(member_id: int) -> Response:
    """Give a member another role; the owner's own row is 404 (owner_and_member)."""
    owner, member = owner_and_member(member_id)
    form = RoleForm()  # its CSRF token was checked before the view (CSRFProtect)
    try:
        change_role(member, form.role.data or "", owner=owner)
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
        return redirect(url_for("merchants.team"), code=303)
    flash(gettext("The role of %(email)s was changed.", email=member.email), "success")
    return redirect(url_for("merchants.team"), code=303)
