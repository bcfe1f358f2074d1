"""Customer-facing pages under /shop/<slug>/: sign up, sign in, the code step, sign out.

Thin: each view reads the form, calls portal.customers.signup, commits once and answers
with a page, an htmx partial or a redirect. Between the phone step and the code step the
session keeps only the E.164 number, the purpose and when the code was sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.phone import format_phone
from portal.customers.models import Customer
from portal.customers.signup import (
    PURPOSES,
    SIGNUP,
    Pending,
    finish_verification,
    resend_code,
    sign_out_everywhere,
    start_signin,
    start_signup,
)
from portal.customers.signup_forms import CodeForm, ResendForm, SigninForm, SignupForm
from portal.extensions import limiter
from portal.form_errors import add_error, refused_submission, show_refusal
from portal.htmx import is_htmx, redirect_after_post, render_page_or_partial
from portal.i18n.locale import current_language
from portal.i18n.messages import form_expired
from portal.merchants.models import Merchant
from portal.redirects import safe_next
from portal.sessions import current_customer, sign_in_customer, sign_out
from portal.staff.accounts import get_merchant_by_slug

bp = Blueprint("customers", __name__, url_prefix="/shop/<slug>")

PENDING_KEY = "otp_pending"
RESEND_WAIT_SECONDS = 30
# Per-IP limits on the anonymous endpoints; the per-number guards live in the database.
SEND_LIMITS = "5 per minute;20 per hour"
VERIFY_LIMITS = "15 per minute;60 per hour"
# Sending takes longer for a known number (SMS, events); every answer waits at least this
# long so the time does not tell (config SIGNIN_MIN_SECONDS; tests set 0).
MIN_SEND_SECONDS = 0.3


# g key: the monotonic instant before which a padded answer may not leave.
PAD_UNTIL = "signin_pad_until"


@contextmanager
def _even_time() -> Iterator[None]:
    """Pad the answer to a fixed minimum duration, whatever happened inside.

    The wait itself happens in `_wait_out_padding`, after the request's commit: waiting
    here, inside the transaction, held a database connection idle for the whole pad,
    so a gthread worker's threads queued for the pool instead of for the clock.
    """
    floor = float(current_app.config.get("SIGNIN_MIN_SECONDS", MIN_SEND_SECONDS))
    setattr(g, PAD_UNTIL, time.monotonic() + floor)
    yield


@bp.after_request
def _wait_out_padding(response: Response) -> Response:
    """Sleep what is left of the pad: the commit is done and the connection returned."""
    left = g.pop(PAD_UNTIL, 0.0) - time.monotonic()
    if left > 0:
        time.sleep(left)
    return response


def _profile_url(slug: str) -> str:
    return url_for("profile.show", slug=slug)


def _form_status(status: int) -> int:
    """htmx swaps only 2xx answers, so a refused htmx form comes back as 200."""
    return 200 if is_htmx() else status


def _status(response: Response, status: int) -> Response:
    response.status_code = _form_status(status)
    return response


def _with_retry(response: Response, err: ServiceError | None) -> Response:
    if err is not None and err.retry_after:
        response.headers["Retry-After"] = str(err.retry_after)
    return response


def _remember(merchant: Merchant, pending: Pending, next_url: str | None) -> None:
    session[PENDING_KEY] = {
        "merchant": merchant.id,
        "phone": pending.phone,
        "purpose": pending.purpose,
        "sent": int(time.time()),
        "next": next_url or "",
    }


def _pending(merchant: Merchant) -> Pending | None:
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or data.get("merchant") != merchant.id:
        return None
    if data.get("purpose") not in PURPOSES or not data.get("phone"):
        return None
    return Pending(phone=str(data["phone"]), purpose=str(data["purpose"]))


def _wait_left() -> int:
    sent = int((session.get(PENDING_KEY) or {}).get("sent") or 0)
    return max(0, RESEND_WAIT_SECONDS - (int(time.time()) - sent))


def _code_context(merchant: Merchant, **extra: Any) -> dict[str, Any]:
    pending = _pending(merchant)
    return {
        "merchant": merchant,
        "form": extra.pop("form", None) or CodeForm(),
        "resend_form": ResendForm(),
        "phone_display": format_phone(pending.phone, merchant.country_code) if pending else "",
        # Someone signing up has just given this number: no "if it belongs to an account".
        "signing_up": pending is not None and pending.purpose == SIGNUP,
        "wait": _wait_left(),
        "notice": extra.pop("notice", None),
        **extra,
    }


def _code_step(merchant: Merchant, **extra: Any) -> Response:
    """The code page, or for htmx the code step swapped in place of the phone form."""
    response = render_page_or_partial(
        "customers/code.html", "customers/_code_form.html", **_code_context(merchant, **extra)
    )
    if is_htmx():
        response.headers["HX-Push-Url"] = url_for("customers.code", slug=merchant.slug)
    return response


def _signed_in_redirect(merchant: Merchant) -> Response | None:
    if current_customer(merchant.id) is not None:
        return redirect(safe_next(request.args.get("next"), _profile_url(merchant.slug)))
    return None


def _phone_step(
    merchant: Merchant,
    form: SignupForm | SigninForm,
    send: Callable[[], Pending],
    page: str,
    partial: str,
) -> Response:
    """The shared first step of sign-up and sign-in: show the form, or send and move on."""
    status = 200
    refusal: ServiceError | None = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            with _even_time():
                pending = send()
        except ServiceError as err:
            refused(err)
            refusal = err
            show_refusal(form, err)
            status = err.status
        else:
            _remember(merchant, pending, form.next.data)
            if is_htmx():
                return _code_step(merchant)
            return redirect(url_for("customers.code", slug=merchant.slug), code=303)
    elif request.method == "POST":
        status = refused_submission(form)
    else:
        form.next.data = request.args.get("next", "")
    response = render_page_or_partial(
        page,
        partial,
        status=_form_status(status),
        merchant=merchant,
        form=form,
    )
    return _with_retry(response, refusal)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(SEND_LIMITS, methods=["POST"])
def signup(slug: str) -> Response:
    """Sign up: name, phone and optional e-mail; a code confirms the phone."""
    merchant = get_merchant_by_slug(slug)
    if request.method == "GET" and (done := _signed_in_redirect(merchant)):
        return done
    form = SignupForm()
    form.set_countries(current_language(), merchant.country_code)

    def send() -> Pending:
        data = {
            "first_name": form.first_name.data,
            "last_name": form.last_name.data,
            "email": form.email.data,
            "phone": form.phone.data,
            "country": form.country.data,
            "language": current_language(),
            "sms_consent": form.sms_consent.data,
            "email_consent": form.email_consent.data,
        }
        return start_signup(merchant, data)

    return _phone_step(merchant, form, send, "customers/signup.html", "customers/_signup_form.html")


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(SEND_LIMITS, methods=["POST"])
def signin(slug: str) -> Response:
    """Sign in with a phone number; the answer is the same whether or not it is known."""
    merchant = get_merchant_by_slug(slug)
    if request.method == "GET" and (done := _signed_in_redirect(merchant)):
        return done
    form = SigninForm()
    form.set_countries(current_language(), merchant.country_code)

    def send() -> Pending:
        return start_signin(merchant, form.phone.data, country=form.country.data)

    return _phone_step(merchant, form, send, "customers/signin.html", "customers/_signin_form.html")


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(VERIFY_LIMITS, methods=["POST"])
def code(slug: str) -> Response:
    """Enter the code; a right one confirms the phone and signs the customer in."""
    merchant = get_merchant_by_slug(slug)
    pending = _pending(merchant)
    if pending is None:
        if current_customer(merchant.id) is not None:
            return redirect(_profile_url(slug))
        flash(gettext("Enter your phone number to get a code."))
        return redirect_after_post(url_for("customers.signin", slug=slug))
    form = CodeForm()
    if request.method == "GET":
        return _code_step(merchant, form=form)
    if not form.validate_on_submit():
        status = refused_submission(form)
        return _status(_code_step(merchant, form=form), status)
    try:
        customer = finish_verification(merchant, pending, form.code.data)
    except ServiceError as err:
        show_refusal(form, err)
        form.code.data = ""
        response = _code_step(merchant, form=form)
        return _with_retry(_status(response, err.status), err)
    target = safe_next((session.get(PENDING_KEY) or {}).get("next"), _profile_url(slug))
    sign_in_customer(customer)
    if pending.purpose == SIGNUP:
        flash(_welcome(merchant, customer), "success")
    return redirect_after_post(target)


def _welcome(merchant: Merchant, customer: Customer) -> str:
    """The greeting after a sign-up's code (the same for a number that already had an
    account: that person is simply signed in)."""
    if customer.first_name:
        return gettext(
            "Welcome to %(shop)s, %(name)s! Your account is ready.",
            shop=merchant.name,
            name=customer.first_name,
        )
    return gettext("Welcome to %(shop)s! Your account is ready.", shop=merchant.name)


@bp.post("/code/resend")
@limiter.limit(SEND_LIMITS)
def resend(slug: str) -> Response:
    """Send a new code to the remembered number (same hourly limit as the first send)."""
    merchant = get_merchant_by_slug(slug)
    pending = _pending(merchant)
    if pending is None:
        return redirect_after_post(url_for("customers.signin", slug=slug))
    code_form = CodeForm(formdata=None)
    if not ResendForm().validate_on_submit():
        add_error(code_form, None, form_expired())
        return _status(_code_step(merchant, form=code_form), 400)
    try:
        with _even_time():
            pending = resend_code(merchant, pending)
    except ServiceError as err:
        show_refusal(code_form, err)
        response = _code_step(merchant, form=code_form)
        return _with_retry(_status(response, err.status), err)
    _remember(merchant, pending, (session.get(PENDING_KEY) or {}).get("next"))
    notice = gettext("We sent you a new code.")
    if is_htmx():
        return _code_step(merchant, notice=notice)
    flash(notice)
    return redirect(url_for("customers.code", slug=slug), code=303)


@bp.post("/signout")
def signout(slug: str) -> Response:
    """Sign out everywhere: every session of this customer stops working at once."""
    merchant = get_merchant_by_slug(slug)
    customer = current_customer(merchant.id)
    if customer is not None:
        sign_out_everywhere(customer)
    sign_out()
    flash(gettext("You are signed out."))
    return redirect_after_post(url_for("customers.signin", slug=slug))
