"""Staff sign-in and sign-out at /login and /logout."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.extensions import limiter
from portal.i18n.messages import translated
from portal.redirects import safe_next
from portal.sessions import current_staff, sign_in_staff, sign_out
from portal.staff.forms import LoginForm
from portal.staff.models import StaffUser
from portal.staff.signin import authenticate_staff, end_staff_sessions

bp = Blueprint("staff", __name__)


def _email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:255]


def _failed(response: Response) -> bool:
    """Only refused attempts count against the limits."""
    return response.status_code != 303


def home_for(user: StaffUser) -> str:
    """Assistants work in /assist/, merchant users in the customer list."""
    if user.is_assistant:
        return "/assist/"
    return url_for("merchants.customers")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 5 minutes", methods=["POST"], deduct_when=_failed)
@limiter.limit("10 per 5 minutes", methods=["POST"], key_func=_email_key, deduct_when=_failed)
def login() -> Any:
    """Sign in with email and password; the session is rotated on success."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        user = current_staff()
        if user is not None:
            return redirect(safe_next(form.next.data, home_for(user)))
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate_staff(form.email.data, form.password.data)
        except ServiceError as err:
            refused(err)
            error = translated(err)
            status = err.status
        else:
            sign_in_staff(user)
            return redirect(safe_next(form.next.data, home_for(user)), code=303)
    elif request.method == "POST":
        status = 422
    response = make_response(render_template("staff/login.html", form=form, error=error), status)
    if status == 429:
        response.headers["Retry-After"] = "900"
    return response


@bp.post("/logout")
def logout() -> Response:
    """Sign out here and everywhere else: older session cookies stop working."""
    user = current_staff()
    if user is not None:
        end_staff_sessions(user)
    sign_out()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("staff.login"), code=303)
