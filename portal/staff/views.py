"""Staff sign-in and sign-out at /login and /logout, and "Forgot password?" under /login.
The second step of a two-factor sign-in is portal/staff/two_factor_views.py."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.extensions import limiter
from portal.form_errors import refused_submission, show_refusal
from portal.i18n.messages import translated
from portal.redirects import safe_next
from portal.security import public_url
from portal.sessions import current_staff, sign_in_staff, sign_out
from portal.staff.accounts import MIN_PASSWORD
from portal.staff.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm
from portal.staff.models import StaffUser
from portal.staff.password_reset import find_reset, request_reset, reset_password
from portal.staff.pending_signin import start_pending_signin
from portal.staff.registration import pending_for_signin
from portal.staff.signin import (
    DEVICE_COOKIE,
    DEVICE_DAYS,
    authenticate_staff,
    device_cookie_value,
    end_staff_sessions,
    is_known_device,
    record_signin,
)
from portal.staff.two_factor import is_enabled, must_set_up

bp = Blueprint("staff", __name__)
# Session key: the "Create your shop" sign-up whose password a sign-in just typed
# (portal/staff/registration_views.py offers to send its link again).
PENDING_REGISTRATION = "registration_pending"


def _email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:255]


def _forgot_email_key() -> str:
    return "forgot-email:" + (request.form.get("email") or "").strip().lower()[:255]


def _known_device() -> bool:
    """The browser signed in to the typed email's account before (portal/staff/signin.py)."""
    return is_known_device(request.form.get("email") or "", request.cookies.get(DEVICE_COOKIE))


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
@limiter.limit(
    "10 per 5 minutes",
    methods=["POST"],
    key_func=_email_key,
    deduct_when=_failed,
    exempt_when=_known_device,  # guessing someone's email never locks them out
)
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
            user = authenticate_staff(
                form.email.data, form.password.data, known_device=_known_device()
            )
        except ServiceError as err:
            refused(err)
            unconfirmed = _unconfirmed_shop(form)
            if unconfirmed is not None:
                return unconfirmed
            error = translated(err)
            status = err.status
        else:
            if is_enabled(user):
                # The password was right; the real sign-in waits for the second factor.
                start_pending_signin(user, form.next.data or "")
                return redirect(url_for("two_factor.code"), code=303)
            return finish_signin(user, form.next.data or "")
    elif request.method == "POST":
        status = 422
    return make_response(render_template("staff/login.html", form=form, error=error), status)


def _unconfirmed_shop(form: LoginForm) -> Response | None:
    """The email and password of a shop whose email is not confirmed yet: say so (and
    offer the link again) instead of "not right"."""
    registration = pending_for_signin(form.email.data, form.password.data)
    if registration is None:
        return None
    session[PENDING_REGISTRATION] = registration.id
    return redirect(url_for("registration.pending"), code=303)


def finish_signin(user: StaffUser, next_url: str) -> Response:
    """Sign `user` in (the session is rotated), remember the device, and go on: to the
    setup page first when the shop requires two-factor sign-in and they have none."""
    record_signin(user)
    sign_in_staff(user)
    if must_set_up(user):  # the setup page says why
        done = redirect(url_for("two_factor.setup"), code=303)
    else:
        done = redirect(safe_next(next_url, home_for(user)), code=303)
    done.set_cookie(
        DEVICE_COOKIE,
        device_cookie_value(user.email),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
    return done


@bp.post("/logout")
def logout() -> Response:
    """Sign out here and everywhere else: older session cookies stop working."""
    user = current_staff()
    if user is not None:
        end_staff_sessions(user)
    sign_out()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("staff.login"), code=303)


# Asking for a link mails someone: per IP, and per email so nobody's inbox is flooded.
# Both count every POST, known email or not, so the limits tell nothing either.
FORGOT_LIMIT_PER_IP = "10 per 15 minutes"
FORGOT_LIMIT_PER_EMAIL = "3 per hour"


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(FORGOT_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(FORGOT_LIMIT_PER_EMAIL, methods=["POST"], key_func=_forgot_email_key)
def forgot_password() -> Any:
    """Ask for a reset link; the answer is the same whether the email has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(
            form.email.data,
            link_for=lambda token: public_url(url_for("staff.reset", token=token)),
        )
        return render_template("staff/forgot_sent.html")
    status = refused_submission(form) if request.method == "POST" else 200
    return make_response(render_template("staff/forgot.html", form=form), status)


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    """Choose a new password through a mailed link; the old sessions end."""
    try:
        find_reset(token)
    except ServiceError as err:
        refused(err)
        return _reset_refused(err)
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            reset_password(
                token,
                password=form.password.data,
                confirm=form.confirm.data,
                where=request.remote_addr,
            )
        except ServiceError as err:
            show_refusal(form, err)
            status = err.status
        else:
            sign_out()
            flash(gettext("Your password is changed. Sign in with the new one."), "info")
            return redirect(url_for("staff.login"), code=303)
    elif request.method == "POST":
        status = refused_submission(form)
    return private(
        make_response(
            render_template("staff/reset.html", form=form, min_password=MIN_PASSWORD), status
        )
    )


def _reset_refused(err: ServiceError) -> Response:
    page = render_template("staff/reset_gone.html", message=translated(err))
    return private(make_response(page, err.status))


def private(response: Response) -> Response:
    """The link is the credential: never cached, never sent on as a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
