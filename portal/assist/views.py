"""Retailer assistant pages under /assist/: register a walk-in shopper, verify, today's list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, url_for
from flask_babel import gettext
from flask_limiter.util import get_remote_address

from portal.assist import services
from portal.assist.forms import ActionForm, RegisterForm
from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.phone import format_phone
from portal.customers.models import Customer

# The code the shopper reads out: the same field as the customers' own code page.
from portal.customers.signup_forms import CodeForm
from portal.extensions import limiter
from portal.form_errors import refused_submission, show_refusal
from portal.htmx import is_htmx, redirect_after_post, render_page_or_partial
from portal.i18n.messages import form_expired, translated
from portal.sessions import current_staff
from portal.staff.access import assistant_only
from portal.staff.models import StaffUser

bp = Blueprint("assist", __name__, url_prefix="/assist")

# Seconds before "Send a new code" is offered again after a send (the hourly limit is
# enforced by the OTP service; this only keeps an assistant from tapping twice).
RESEND_WAIT_SECONDS = 30
DEFAULT_LIMITS = {
    "ASSIST_REGISTER_LIMIT": "30 per minute;300 per hour",
    "ASSIST_SEND_LIMIT": "10 per minute;100 per hour",
    "ASSIST_VERIFY_LIMIT": "30 per minute;300 per hour",
}


def assistant_key() -> str:
    """Rate limits count per assistant account: a whole shop network shares one IP."""
    user = current_staff()
    if user is not None:
        return f"assist:staff:{user.id}"
    return f"assist:ip:{get_remote_address()}"


def _limit(name: str) -> Any:
    return limiter.limit(
        lambda: current_app.config.get(name, DEFAULT_LIMITS[name]),
        key_func=assistant_key,
        methods=["POST"],
    )


def _assistant() -> StaffUser:
    user = current_staff()
    assert user is not None  # guaranteed by @assistant_only
    return user


def _invalid_status() -> int:
    """422 for plain forms; htmx swaps only 2xx answers, so it gets 200 with the errors."""
    return 200 if is_htmx() else 422


def _index_context(assistant: StaffUser, **extra: Any) -> dict[str, Any]:
    today, month = services.registration_counts(assistant)
    return {
        "assistant": assistant,
        "shoppers": services.todays_shoppers(assistant),
        "count_today": today,
        "count_month": month,
        "action_form": ActionForm(),
        "zone": services.shop_timezone(
            assistant.merchant.country_code, assistant.merchant.time_zone
        ),
        "format_phone": format_phone,
        **extra,
    }


def _code_context(assistant: StaffUser, customer: Customer, form: CodeForm) -> dict[str, Any]:
    return {
        "assistant": assistant,
        "customer": customer,
        "phone": format_phone(services.phone_to_verify(customer), customer.merchant.country_code),
        "verified": services.is_confirmed(customer),
        "form": form,
        "action_form": ActionForm(),
        "resend_in": services.seconds_until_resend(
            customer.confirmation_sent_at, RESEND_WAIT_SECONDS
        ),
        "ttl_minutes": max(1, current_app.config["OTP_TTL_SECONDS"] // 60),
    }


def _display_phone(customer: Customer) -> str:
    return format_phone(services.phone_to_verify(customer), customer.merchant.country_code)


@bp.get("/")
@assistant_only
def index() -> Response:
    """The register form, with today's shoppers and the counts below it."""
    assistant = _assistant()
    return render_page_or_partial(
        "assist/index.html",
        "assist/_register.html",
        **_index_context(assistant, form=RegisterForm()),
    )


@bp.post("/")
@assistant_only
@_limit("ASSIST_REGISTER_LIMIT")
def register() -> Response:
    """Create (or reuse) the shopper and send the code; then the code step."""
    assistant = _assistant()
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            result = services.register_shopper(assistant, form.data_for_service())
        except ServiceError as err:
            show_refusal(form, err)
        else:
            customer = result.customer
            if result.outcome == services.Outcome.ALREADY_REGISTERED:
                flash(
                    gettext(
                        "%(name)s is already registered with this phone number. "
                        "Send a code to check it is them.",
                        name=customer.full_name or _display_phone(customer),
                    ),
                    "warning",
                )
                return redirect_after_post(url_for("assist.shopper", customer_id=customer.id))
            flash(gettext("Code sent to %(phone)s.", phone=_display_phone(customer)))
            return redirect_after_post(url_for("assist.code", customer_id=customer.id))
    else:
        refused_submission(form)
    assistant = _assistant()
    return render_page_or_partial(
        "assist/index.html",
        "assist/_register.html",
        status=_invalid_status(),
        **_index_context(assistant, form=form),
    )


@bp.get("/today")
@assistant_only
def today() -> Response:
    """Today's list and counts alone (htmx refresh) or within the full page."""
    assistant = _assistant()
    return render_page_or_partial(
        "assist/index.html",
        "assist/_today.html",
        **_index_context(assistant, form=RegisterForm(formdata=None)),
    )


@bp.get("/shoppers/<int:customer_id>")
@assistant_only
def shopper(customer_id: int) -> Response:
    """One shopper of this merchant: verified or pending, with a button to send a code."""
    assistant = _assistant()
    customer = services.find_shopper(assistant, customer_id)
    return render_page_or_partial(
        "assist/shopper.html",
        "assist/_shopper.html",
        assistant=assistant,
        customer=customer,
        verified=services.is_confirmed(customer),
        phone=format_phone(services.phone_to_verify(customer), customer.merchant.country_code),
        action_form=ActionForm(),
    )


@bp.get("/shoppers/<int:customer_id>/code")
@assistant_only
def code(customer_id: int) -> Response:
    """The code step: "Code", "Verify" and "Send a new code"."""
    assistant = _assistant()
    customer = services.find_shopper(assistant, customer_id)
    return render_page_or_partial(
        "assist/code.html",
        "assist/_code.html",
        **_code_context(assistant, customer, CodeForm(formdata=None)),
    )


@bp.post("/shoppers/<int:customer_id>/send")
@assistant_only
@_limit("ASSIST_SEND_LIMIT")
def send(customer_id: int) -> Response:
    """Send a (new) code to the shopper, then show the code step."""
    assistant = _assistant()
    form = ActionForm()
    customer = services.find_shopper(assistant, customer_id)
    if form.validate_on_submit():
        try:
            customer, _sent = services.resend_code(assistant, customer_id)
        except ServiceError as err:
            refused(err)
            flash(translated(err), "error")
        else:
            flash(gettext("Code sent to %(phone)s.", phone=_display_phone(customer)))
    else:
        flash(form_expired(), "error")
    return redirect_after_post(url_for("assist.code", customer_id=customer.id))


@bp.post("/shoppers/<int:customer_id>/verify")
@assistant_only
@_limit("ASSIST_VERIFY_LIMIT")
def verify(customer_id: int) -> Response:
    """Check the code; success confirms the shopper and returns to the register form."""
    assistant = _assistant()
    customer = services.find_shopper(assistant, customer_id)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            customer = services.verify_shopper(assistant, customer_id, form.code.data or "")
        except ServiceError as err:
            show_refusal(form, err)
        else:
            flash(
                gettext(
                    "%(name)s is verified and registered.",
                    name=customer.full_name or _display_phone(customer),
                ),
                "success",
            )
            return redirect_after_post(url_for("assist.index"))
    else:
        refused_submission(form)
    customer = services.find_shopper(assistant, customer_id)
    return render_page_or_partial(
        "assist/code.html",
        "assist/_code.html",
        status=_invalid_status(),
        **_code_context(assistant, customer, form),
    )
