"""Adding and editing a customer from the console: one form page, two services.

Creating and editing differ only in how the form is filled and which service saves it, so
both run through `_form_flow`; the rules themselves stay in the services, shared with
sign-up and the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.core.errors import ServiceError
from portal.customers.models import Customer
from portal.customers.services import create_customer, update_customer
from portal.form_errors import refused_submission, show_refusal
from portal.htmx import redirect_after_post
from portal.merchants.blueprint import bp
from portal.merchants.categories import category_choices
from portal.merchants.customer_forms import CustomerForm
from portal.merchants.customer_views import (
    current_actor,
    customer_url,
    display_name,
    load_customer,
    signed_in_staff,
)
from portal.merchants.list_forms import labelled_categories
from portal.staff.access import console_writer, staff_actor


def _customer_form() -> CustomerForm:
    form = CustomerForm()
    form.set_choices(
        labelled_categories(category_choices(signed_in_staff().merchant_id)),
        current_app.config["LANGUAGES"],
    )
    return form


def _form_page(form: CustomerForm, customer: Customer | None) -> Response:
    html = render_template("merchants/customer_form.html", form=form, customer=customer)
    return Response(html, status=422 if form.errors else 200, mimetype="text/html")


def _clean_form_data(data: dict[str, Any]) -> dict[str, Any]:
    # A blank country code means "the phone number's country", not "no country".
    if not (data.get("country_code") or "").strip():
        data.pop("country_code", None)
    return data


def _form_flow(
    customer: Customer | None,
    *,
    fill: Callable[[CustomerForm], None],
    save: Callable[[CustomerForm], str],
) -> Response:
    """GET: the form, filled by `fill`. POST: `save` it and redirect to the URL it returns,
    or show the form again with the refusal on its fields (an expired form, in the summary)."""
    form = _customer_form()
    if request.method == "GET":
        fill(form)
    elif form.validate_on_submit():
        try:
            next_url = save(form)
        except ServiceError as err:
            show_refusal(form, err)
        else:
            return redirect_after_post(next_url)
    else:
        refused_submission(form)
    return _form_page(form, customer)


@bp.route("/customers/new", methods=["GET", "POST"])
@console_writer
def new_customer() -> Response:
    """Add a customer; the same validation as sign-up and the API (services)."""
    user = signed_in_staff()

    def fill(form: CustomerForm) -> None:
        form.category_code.data = "N"
        form.language.data = user.merchant.default_language

    def save(form: CustomerForm) -> str:
        data = _clean_form_data(form.to_data())
        created = create_customer(user.merchant, data, actor=staff_actor(user))
        flash(gettext("%(name)s has been added", name=display_name(created)), "success")
        return customer_url(created)

    return _form_flow(None, fill=fill, save=save)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@console_writer
def edit_customer(customer_id: int) -> Response:
    """Edit a customer; the version seen on the form stops one save overwriting another."""
    found = load_customer(customer_id)

    def save(form: CustomerForm) -> str:
        data = _clean_form_data(form.to_data(current_phone=found.display_phone))
        changes = update_customer(
            found, data, actor=current_actor(), expected_version=form.expected_version()
        )
        if changes:
            flash(gettext("%(name)s has been saved", name=display_name(found)), "success")
        else:
            flash(gettext("Nothing was changed."), "info")
        return customer_url(found)

    return _form_flow(found, fill=lambda form: form.fill_from(found), save=save)
