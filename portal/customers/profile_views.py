"""The signed-in customer's profile pages under /shop/<slug>/profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel import Locale
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.phone import format_phone
from portal.core.zones import shop_clock
from portal.customers.consent import record_consents
from portal.customers.labels import gender_label
from portal.customers.models import Customer
from portal.customers.phone_change import confirm_phone_change, start_phone_change
from portal.customers.profile_form import EDITABLE, build_form, submit_profile
from portal.customers.signup_forms import CodeForm, ConsentForm, NewPhoneForm
from portal.extensions import limiter
from portal.form_errors import add_error, refused_submission, show_refusal
from portal.htmx import is_htmx, redirect_after_post, render_page_or_partial
from portal.i18n.locale import current_language
from portal.links.services import current_address, current_card
from portal.merchants.models import Merchant
from portal.sessions import current_customer
from portal.staff.accounts import get_merchant_by_slug

bp = Blueprint("profile", __name__, url_prefix="/shop/<slug>")


def _signin_url(slug: str) -> str:
    try:
        return url_for("customers.signin", slug=slug)
    except BuildError:
        return url_for("site.home")


def _signed_in(slug: str) -> tuple[Merchant, Customer | None]:
    merchant = get_merchant_by_slug(slug)
    return merchant, current_customer(merchant.id)


def _actor(customer: Customer) -> str:
    return f"customer:{customer.id}"


def _display(customer: Customer, language: str) -> dict[str, Any]:
    """Names of coded values (country, gender, language) in the page's language."""
    territories = Locale.parse(language).territories
    languages = dict(Locale.parse(language).languages)
    return {
        "nationality": territories.get(customer.nationality or "", customer.nationality),
        "gender": gender_label(customer.gender),
        "language": languages.get(customer.language or "", customer.language),
    }


@bp.get("/profile")
def show(slug: str) -> Response | str:
    merchant, customer = _signed_in(slug)
    if customer is None:
        return redirect(_signin_url(slug))
    return render_template(
        "customers/profile.html",
        merchant=merchant,
        customer=customer,
        shown=_display(customer, current_language()),
        billing=current_address(customer.id, "billing"),
        shipping=current_address(customer.id, "shipping"),
        card=current_card(customer.id),
        format_phone=format_phone,
        clock=shop_clock(merchant.country_code, merchant.time_zone),
        consent_form=ConsentForm(
            formdata=None, sms_consent=customer.sms_consent, email_consent=customer.email_consent
        ),
    )


@bp.post("/profile/consent")
def save_consent(slug: str) -> Response:
    """The profile's "Marketing consent" section: each channel changed is recorded with
    source `profile` and the sentence the page showed."""
    _merchant, customer = _signed_in(slug)
    if customer is None:
        return redirect(_signin_url(slug))
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(gettext("Your choices could not be saved. Please try again."), "error")
        return redirect_after_post(url_for("profile.show", slug=slug))
    wanted = {"sms": form.sms_consent.data, "email": form.email_consent.data}
    changed = record_consents(customer, wanted, "profile", actor=_actor(customer))
    if changed:
        flash(gettext("Your marketing choices were saved."), "success")
    return redirect_after_post(url_for("profile.show", slug=slug) + "#consent-heading")


@bp.route("/profile/edit", methods=["GET", "POST"])
def edit(slug: str) -> Response | str:
    """One form (ProfileForm) for the page; errors show next to their field."""
    merchant, customer = _signed_in(slug)
    if customer is None:
        return redirect(_signin_url(slug))
    language = current_language()
    status = 200
    if request.method == "POST":
        data = {name: request.form.get(name, "") for name in (*EDITABLE, "version")}
        result = submit_profile(customer, data, actor=_actor(customer), language=language)
        if not result.has_errors:
            flash(gettext("Your profile was saved."), "success")
            return redirect_after_post(url_for("profile.show", slug=slug))
        refused()
        # htmx swaps only 2xx answers, so a refused htmx form comes back as 200.
        status = 200 if is_htmx() else (409 if "version" in result.errors else 422)
        form = build_form(customer, language=language, formdata=request.form)
        for name, messages in result.errors.items():
            for message in messages:  # a stale version belongs to the whole form
                add_error(form, None if name == "version" else name, message)
    else:
        form = build_form(customer, language=language)
    return render_page_or_partial(
        "customers/profile_edit.html",
        "customers/_profile_form.html",
        status=status,
        merchant=merchant,
        customer=customer,
        form=form,
    )


@bp.route("/profile/phone", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def change_phone(slug: str) -> Response | str:
    """Step one: the new number; a code goes to it and the old number stays in use."""
    merchant, customer = _signed_in(slug)
    if customer is None:
        return redirect(_signin_url(slug))

    def start(form: NewPhoneForm) -> str:
        start_phone_change(customer, form.phone.data or "", actor=_actor(customer))
        flash(gettext("We sent a code to your new number."), "info")
        return url_for("profile.confirm_phone", slug=slug)

    return _phone_step("customers/profile_phone.html", NewPhoneForm(), start, merchant, customer)


@bp.route("/profile/phone/confirm", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
def confirm_phone(slug: str) -> Response | str:
    """Step two: the code from the new number; only then does it replace the old one."""
    merchant, customer = _signed_in(slug)
    if customer is None:
        return redirect(_signin_url(slug))
    if not customer.unconfirmed_phone:
        return redirect(url_for("profile.change_phone", slug=slug))

    def confirm(form: CodeForm) -> str:
        confirm_phone_change(customer, form.code.data or "", actor=_actor(customer))
        flash(gettext("Your new phone number is confirmed."), "success")
        return url_for("profile.show", slug=slug)

    template = "customers/profile_phone_confirm.html"
    return _phone_step(template, CodeForm(), confirm, merchant, customer)


def _phone_step(
    template: str,
    form: NewPhoneForm | CodeForm,
    run: Callable[[Any], str],
    merchant: Merchant,
    customer: Customer,
) -> Response:
    """One step of the phone change: show `form`, or `run` it and go where it says; a
    refusal shows on the form (an expired one in its summary)."""
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            return redirect_after_post(run(form))
        except ServiceError as exc:
            show_refusal(form, exc)
            status = exc.status
    elif request.method == "POST":
        status = refused_submission(form)
    html = render_template(template, merchant=merchant, customer=customer, form=form)
    return Response(html, status=status, mimetype="text/html")
