"""Two-factor sign-in pages: /account/two-factor (set up, switch off) and /login/code
(the second step of a sign-in), and the gate that sends members of a shop that requires
it to the setup page until they have it. The rules live in portal/staff/two_factor.py."""

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
from flask_babel import gettext, ngettext

from portal.boundary import refused
from portal.core.error_codes import StaffError
from portal.core.errors import ServiceError
from portal.extensions import limiter
from portal.form_errors import refused_submission, show_refusal
from portal.i18n.messages import translated
from portal.sessions import current_staff, current_staff_unless_down
from portal.staff.access import signed_in_staff
from portal.staff.brand import console_brand
from portal.staff.forms import SigninCodeForm, TwoFactorOffForm, TwoFactorSetupForm
from portal.staff.models import StaffUser
from portal.staff.pending_signin import (
    PendingSignin,
    clear_pending_signin,
    has_pending_signin,
    read_pending_signin,
)
from portal.staff.two_factor import (
    check_signin_code,
    is_enabled,
    must_set_up,
    pending_member,
    remaining_recovery_codes,
    start_setup,
    switch_off,
    switch_on,
)
from portal.staff.views import finish_signin

bp = Blueprint("two_factor", __name__)
bp.context_processor(console_brand)

# Guessing six digits: per address, and per pending account (which also locks after
# MAX_WRONG_CODES wrong codes, portal/staff/two_factor.py).
CODE_LIMIT_PER_IP = "20 per 5 minutes"
CODE_LIMIT_PER_ACCOUNT = "10 per 5 minutes"
SETUP_LIMIT = "10 per 5 minutes"
# Blueprints a member of a shop that requires two-factor sign-in reaches only after setup.
GATED_BLUEPRINTS = frozenset({"merchants", "assist", "webhooks"})
# Refusals that end the pending sign-in: the password is asked again.
RESTART_CODES = frozenset({StaffError.TWO_FACTOR_LOCKED, StaffError.TWO_FACTOR_SIGNIN_EXPIRED})


def _me() -> StaffUser:
    user = current_staff()
    assert user is not None  # signed_in_staff ran first
    return user


def _private(response: Response) -> Response:
    """Pages with a key or recovery codes are never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_app_request
def send_to_setup_first() -> Any:
    """A member whose shop requires two-factor sign-in and who has none reaches the
    console and the assistant's pages only after setting it up."""
    if request.blueprint not in GATED_BLUEPRINTS:
        return None
    user = current_staff_unless_down()
    if user is None or not must_set_up(user):
        return None
    return redirect(url_for("two_factor.setup"))


@bp.get("/account/two-factor")
@signed_in_staff
def setup() -> Response:
    """Set up (QR code, key as text, first code) or, once on, the state and switch-off."""
    user = _me()
    if is_enabled(user):
        page = render_template(
            "staff/two_factor_on.html",
            remaining=remaining_recovery_codes(user),
            required=bool(user.merchant.require_two_factor),
        )
        return make_response(page)
    return _setup_page(user, TwoFactorSetupForm(formdata=None), 200)


def _setup_page(user: StaffUser, form: TwoFactorSetupForm, status: int) -> Response:
    page = render_template(
        "staff/two_factor_setup.html",
        form=form,
        setup=start_setup(user),
        required=bool(user.merchant.require_two_factor),
    )
    return _private(make_response(page, status))


@bp.post("/account/two-factor")
@signed_in_staff
@limiter.limit(SETUP_LIMIT)
def switch_on_view() -> Any:
    """The first code switches it on; the recovery codes are shown this once."""
    user = _me()
    if is_enabled(user):
        return redirect(url_for("two_factor.setup"), code=303)
    form = TwoFactorSetupForm()
    if not form.validate_on_submit():
        return _setup_page(user, form, refused_submission(form))
    try:
        codes = switch_on(user, form.code.data)
    except ServiceError as err:
        show_refusal(form, err)
        return _setup_page(user, form, err.status)
    flash(gettext("Two-factor sign-in is on."), "success")
    page = render_template("staff/two_factor_codes.html", codes=codes)
    return _private(make_response(page))


@bp.route("/account/two-factor/off", methods=["GET", "POST"])
@signed_in_staff
@limiter.limit(SETUP_LIMIT, methods=["POST"])
def off() -> Any:
    """Switch it off, after a confirmation page that asks for a code and the password."""
    user = _me()
    if not is_enabled(user):
        return redirect(url_for("two_factor.setup"), code=303)
    form = TwoFactorOffForm()
    status = 200
    if form.validate_on_submit():
        try:
            switch_off(user, code=form.code.data, password=form.password.data)
        except ServiceError as err:
            show_refusal(form, err)
            status = err.status
        else:
            flash(gettext("Two-factor sign-in is off."), "info")
            return redirect(url_for("two_factor.setup"), code=303)
    elif request.method == "POST":
        status = refused_submission(form)
    required = bool(user.merchant.require_two_factor)
    page = render_template("staff/two_factor_off.html", form=form, required=required)
    return make_response(page, status)


def _pending_key() -> str:
    pending = read_pending_signin()
    return f"signin-code:{pending.user_id}" if pending else f"signin-code:{request.remote_addr}"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(CODE_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_pending_key)
def code() -> Any:
    """The second step: the authentication code (or a recovery code) after the password."""
    pending = read_pending_signin()
    user = pending_member(pending.user_id, pending.version) if pending else None
    if pending is None or user is None:
        if not has_pending_signin():  # nobody gave a password here: nothing to explain
            return redirect(url_for("staff.login"), code=303)
        return _start_again(ServiceError(StaffError.TWO_FACTOR_SIGNIN_EXPIRED))
    form = SigninCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            kind = check_signin_code(user, form.code.data, started_at=pending.started_at)
        except ServiceError as err:
            if err.code in RESTART_CODES:
                refused(err)
                return _start_again(err)
            show_refusal(form, err)
            status = err.status
        else:
            return _signed_in(user, pending, kind)
    elif request.method == "POST":
        status = refused_submission(form)
    return make_response(render_template("staff/login_code.html", form=form), status)


def _start_again(err: ServiceError) -> Response:
    """The pending sign-in is over: back to the password, saying why."""
    clear_pending_signin()
    flash(translated(err), "error")
    return redirect(url_for("staff.login"), code=303)


def _signed_in(user: StaffUser, pending: PendingSignin, kind: str) -> Response:
    done = finish_signin(user, pending.next_url)  # rotates the session: flash after it
    if kind == "recovery":
        left = remaining_recovery_codes(user)
        flash(
            ngettext(
                "You used a recovery code. %(num)d recovery code is left.",
                "You used a recovery code. %(num)d recovery codes are left.",
                left,
            ),
            "warning",
        )
    return done
