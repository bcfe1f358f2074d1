"""The signed-in customer's profile pages under /shop/<slug>/profile."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.customers.fields import ValidationFailed
from portal.customers.labels import gender_label
from portal.customers.models import Customer
from portal.customers.phone_change import confirm_phone_change, start_phone_change
from portal.customers.profile_form import EDITABLE, build_form, submit_profile
from portal.extensions import limiter
from portal.htmx import is_htmx, redirect_after_post, render_page_or_partial
from portal.i18n.locale import current_language
from portal.i18n.messages import field_errors, translated
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
    )


@bp.route("/profile/edit", methods=["GET", "POST"])
def edit(slug: str) -> Response | str:
    """One form (ProfileForm) for the page; errors show next to their field."""
    merchant, customer = _signed_in(slug)
    if customer is None:
        return redirect(_signin_url(slug))
    language = current_language()
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data = {name: request.form.get(name, "") for name in (*EDITABLE, "version")}
        result = submit_profile(customer, data, actor=_actor(customer), language=language)
        if not result.has_errors:
            flash(gettext("Your profile was saved."), "success")
            return redirect_after_post(url_for("profile.show", slug=slug))
        refused()
        errors = result.errors
        # htmx swaps only 2xx answers, so a refused htmx form comes back as 200.
        status = 200 if is_htmx() else (409 if "version" in errors else 422)
        form = build_form(customer, language=language, formdata=request.form)
    else:
        form = build_form(customer, language=language)
    return render_page_or_partial(
        "customers/profile_edit.html",
        "customers/_profile_form.html",
        status=status,
        merchant=merchant,
        customer=customer,
        form=form,
        errors=errors,
    )


@bp.route("/profile/phone", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def change_phone(slug: str) -> Response | str:
    """Step one: the new number; a code goes to it and the old number stays in use."""
    merchant, customer = _signed_in(slug)
    if customer is None:
        return redirect(_signin_url(slug))
    error = None
    status = 200
    if request.method == "POST":
        try:
            start_phone_change(customer, request.form.get("phone", ""), actor=_actor(customer))
        except ValidationFailed as exc:
            refused(exc)
            error, status = field_errors(exc).get("phone", translated(exc)), 422
        except ServiceError as exc:
            refused(exc)
            error, status = translated(exc), exc.status
        else:
            flash(gettext("We sent a code to your new number."), "info")
            return redirect_after_post(url_for("profile.confirm_phone", slug=slug))
    return render_template(
        "customers/profile_phone.html",
        merchant=merchant,
        customer=customer,
        error=error,
        value=request.form.get("phone", ""),
    ), status


@bp.route("/profile/phone/confirm", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
def confirm_phone(slug: str) -> Response | str:
    """Step two: the code from the new number; only then does it replace the old one."""
    merchant, customer = _signed_in(slug)
    if customer is None:
        return redirect(_signin_url(slug))
    if not customer.unconfirmed_phone:
        return redirect(url_for("profile.change_phone", slug=slug))
    error = None
    status = 200
    if request.method == "POST":
        try:
            confirm_phone_change(customer, request.form.get("code", ""), actor=_actor(customer))
        except ServiceError as exc:
            refused(exc)
            error, status = translated(exc), 422
        else:
            flash(gettext("Your new phone number is confirmed."), "success")
            return redirect_after_post(url_for("profile.show", slug=slug))
    return render_template(
        "customers/profile_phone_confirm.html",
        merchant=merchant,
        customer=customer,
        error=error,
    ), status
