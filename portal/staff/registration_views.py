""" "Create your shop" at /register, the mailed confirmation link, and "Send the link again"
for an owner who signs in before confirming. The rules are portal/staff/registration.py."""

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
    session,
    url_for,
)
from flask_babel import get_locale, gettext

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.customers.fields import country_choices
from portal.extensions import limiter
from portal.form_errors import refused_submission, show_refusal
from portal.i18n.messages import form_expired, translated
from portal.security import public_url
from portal.staff.accounts import MIN_PASSWORD
from portal.staff.forms import ConfirmShopForm, RegisterForm, ResendLinkForm
from portal.staff.registration import (
    LINK_HOURS,
    ShopRequest,
    confirm_registration,
    find_registration,
    get_open_registration,
    resend_link,
    start_registration,
)
from portal.staff.views import PENDING_REGISTRATION, finish_signin, private

bp = Blueprint("registration", __name__)

# Each sign-up mails someone: per IP, and per email so nobody's inbox is flooded. The
# per-email limit counts only the "Check your email" answers, known email or not.
REGISTER_LIMIT_PER_IP = "10 per 15 minutes"
REGISTER_LIMIT_PER_EMAIL = "3 per hour"
RESEND_LIMIT_PER_IP = "10 per 15 minutes"
RESEND_LIMIT_PER_SIGNUP = "3 per hour"
CONFIRM_LIMIT_PER_IP = "30 per 15 minutes"


def _email_key() -> str:
    return "register-email:" + (request.form.get("email") or "").strip().lower()[:255]


def _signup_key() -> str:
    return f"register-resend:{session.get(PENDING_REGISTRATION)}"


def _answered(response: Response) -> bool:
    return response.status_code == 200


def _link_for(token: str) -> str:
    return public_url(url_for("registration.confirm", token=token))


def _register_form() -> RegisterForm:
    form = RegisterForm()
    choices = country_choices(str(get_locale() or "en"))
    form.country.choices = [("", gettext("Choose a country")), *choices]
    return form


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(
    REGISTER_LIMIT_PER_EMAIL, methods=["POST"], key_func=_email_key, deduct_when=_answered
)
def register() -> Any:
    """Create your shop; the answer is the same page whether the email is known."""
    form = _register_form()
    status = 200
    if form.validate_on_submit():
        shop = ShopRequest(
            shop_name=form.shop_name.data,
            email=form.email.data,
            password=form.password.data,
            confirm=form.confirm.data,
            country_code=form.country.data,
        )
        try:
            start_registration(
                shop, link_for=_link_for, signin_url=public_url(url_for("staff.login"))
            )
        except ServiceError as err:
            show_refusal(form, err)
            status = 422
        else:
            return render_template("staff/register_sent.html", hours=LINK_HOURS)
    elif request.method == "POST":
        status = refused_submission(form)
    page = render_template("staff/register.html", form=form, min_password=MIN_PASSWORD)
    return make_response(page, status)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(CONFIRM_LIMIT_PER_IP, methods=["POST"])
def confirm(token: str) -> Any:
    """The mailed link: a button opens the shop (mail scanners only GET the page)."""
    try:
        registration = find_registration(token)
    except ServiceError as err:
        refused(err)
        return _link_refused(err)
    form = ConfirmShopForm()
    status = 200
    if form.validate_on_submit():
        try:
            owner = confirm_registration(token)
        except ServiceError as err:
            refused(err)
            return _link_refused(err)
        opened = finish_signin(owner, url_for("merchants.customers"))
        # After the sign-in: it starts a fresh session, which would drop an earlier flash.
        flash(gettext("Your email is confirmed and your shop is ready."), "success")
        return private(opened)
    if request.method == "POST":
        status = refused_submission(form)
    page = render_template("staff/register_confirm.html", form=form, registration=registration)
    return private(make_response(page, status))


def _link_refused(err: ServiceError) -> Response:
    page = render_template("staff/register_gone.html", message=translated(err))
    return private(make_response(page, err.status))


@bp.get("/register/pending")
def pending() -> Any:
    """After a sign-in with the password of a sign-up not confirmed yet."""
    registration = get_open_registration(session.get(PENDING_REGISTRATION))
    if registration is None:
        return redirect(url_for("staff.login"))
    page = render_template(
        "staff/register_pending.html", form=ResendLinkForm(), email=registration.email
    )
    return private(make_response(page))


@bp.post("/register/resend")
@limiter.limit(RESEND_LIMIT_PER_IP)
@limiter.limit(RESEND_LIMIT_PER_SIGNUP, key_func=_signup_key)
def resend() -> Any:
    """Send the link again: a new one, valid LINK_HOURS; the previous one stops working."""
    registration = get_open_registration(session.get(PENDING_REGISTRATION))
    if registration is None:
        return redirect(url_for("staff.login"), code=303)
    form = ResendLinkForm()
    if not form.validate_on_submit():
        refused()
        flash(form_expired(), "error")
        return redirect(url_for("registration.pending"), code=303)
    resend_link(registration, link_for=_link_for)
    flash(gettext("We sent the link again to %(email)s.", email=registration.email), "success")
    return redirect(url_for("registration.pending"), code=303)
