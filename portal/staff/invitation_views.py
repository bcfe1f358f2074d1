"""/invitation/<token>: the invitee opens the mailed link, chooses a name and password, and
is signed in (the session is rotated) in the role the owner chose. The rules live in
portal/staff/invitations.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, make_response, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.extensions import limiter
from portal.form_errors import refused_submission, show_refusal
from portal.i18n.messages import translated
from portal.staff.accounts import MIN_PASSWORD
from portal.staff.forms import AcceptInvitationForm
from portal.staff.invitations import accept_invitation, find_invitation
from portal.staff.views import finish_signin

bp = Blueprint("invitations", __name__)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per 5 minutes", methods=["POST"])
def accept(token: str) -> Any:
    """Join the team through an invitation link."""
    try:
        invitation = find_invitation(token)
    except ServiceError as err:
        refused(err)
        page = render_template("staff/invitation_gone.html", message=translated(err))
        return _private(make_response(page, err.status))
    form = AcceptInvitationForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accept_invitation(
                token, name=form.name.data, password=form.password.data, confirm=form.confirm.data
            )
        except ServiceError as err:
            show_refusal(form, err)
            status = err.status
        else:
            done = finish_signin(user, "")
            # After the sign-in: it starts a new session, and the notice must travel in it.
            flash(gettext("Welcome to the team of %(shop)s.", shop=user.merchant.name), "success")
            return _private(done)
    elif request.method == "POST":
        status = refused_submission(form)
    page = render_template(
        "staff/invitation.html", form=form, invitation=invitation, min_password=MIN_PASSWORD
    )
    return _private(make_response(page, status))


def _private(response: Response) -> Response:
    """The link is the credential: never cached, never sent on as a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
