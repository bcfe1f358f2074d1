"""One customer's personal data from the console: download it as JSON, or erase it.

Download is for owners and SYSTEM staff; erasure for owners only, confirmed by typing the
customer's phone number. What is exported and what an erasure does is decided by
portal.customers.personal_data, shared with the open API.
"""

from __future__ import annotations

import json

from flask import abort, flash, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.phone import format_phone
from portal.customers.models import Customer
from portal.customers.personal_data import (
    check_typed_phone,
    erase_customer,
    export_customer,
    is_erased,
)
from portal.htmx import redirect_after_post
from portal.i18n.messages import translated
from portal.merchants.blueprint import bp
from portal.merchants.customer_forms import EraseForm
from portal.merchants.customer_views import (
    current_actor,
    list_url,
    load_customer,
    signed_in_staff,
)
from portal.staff.access import console_writer, owner_only


def _visible_customer(customer_id: int) -> Customer:
    """The merchant's customer; owners also reach deleted ones, as on the customer page."""
    owner = signed_in_staff().role == "owner"
    return load_customer(customer_id, include_deleted=owner)


def _file_json(data: object) -> str:
    """The export as JSON whose strings carry no raw <, > or &: the same data when
    parsed, and inert if a browser is ever made to show it as a page."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@bp.get("/customers/<int:customer_id>/personal-data.json")
@console_writer
def download_personal_data(customer_id: int) -> Response:
    """Everything held about the customer as a JSON file (recorded in the audit trail)."""
    found = _visible_customer(customer_id)
    data = export_customer(found, actor=current_actor())
    response = Response(_file_json(data), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="customer-{found.id}-personal-data.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/customers/<int:customer_id>/erase", methods=["GET", "POST"])
@owner_only
def erase_personal_data(customer_id: int) -> Response:
    """GET asks for the phone number; POST erases when it matches, else 422 with the error."""
    found = _visible_customer(customer_id)
    if is_erased(found):
        abort(404)
    form = EraseForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            check_typed_phone(found, form.phone.data)
        except ServiceError as err:
            refused(err)
            errors, status = [translated(err)], 422
        else:
            erase_customer(found, actor=current_actor())
            flash(gettext("The customer's personal data has been erased."), "success")
            return redirect_after_post(list_url())
    elif request.method == "POST":
        status = 422
    return Response(
        render_template(
            "merchants/confirm_erase.html",
            customer=found,
            form=form,
            errors=errors,
            format_phone=format_phone,
        ),
        status=status,
        mimetype="text/html",
    )
