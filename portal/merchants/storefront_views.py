"""Turning one customer's storefront account on or off (document 003's privor-activation).

A switch of its own beside the status actions: the customer page posts its small form here,
and the service decides whom it may be turned on for.
"""

from __future__ import annotations

from flask import abort, flash
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.customers.storefront import set_storefront_access
from portal.htmx import redirect_after_post
from portal.merchants.blueprint import bp
from portal.merchants.customer_forms import StorefrontForm
from portal.merchants.customer_views import (
    current_actor,
    customer_url,
    display_name,
    load_customer,
    service_errors,
)
from portal.staff.access import console_writer


@bp.post("/customers/<int:customer_id>/storefront")
@console_writer
def storefront(customer_id: int) -> Response:
    """Turn the customer's storefront account on or off (document 003's privor-activation)."""
    found = load_customer(customer_id)
    form = StorefrontForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    email = (form.email.data or "").strip() or None
    try:
        set_storefront_access(found, active=active, actor=current_actor(), email=email)
    except ServiceError as err:
        refused(err)
        for message in service_errors(err).values():
            flash(message, "error")
        return redirect_after_post(customer_url(found))
    if active:
        message = gettext("Storefront account of %(name)s is active", name=display_name(found))
    else:
        message = gettext("Storefront account of %(name)s is deactivated", name=display_name(found))
    flash(message, "success")
    return redirect_after_post(customer_url(found))
