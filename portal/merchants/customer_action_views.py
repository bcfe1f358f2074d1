"""Status actions on one customer: accept, refuse, activate, block, unblock, delete, restore.

Every action but restore is confirmed on a page of its own before it runs; which action
fits which status is decided by portal.customers.status, not here.
"""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.phone import format_phone
from portal.customers.status import (
    BY_NAME,
    Action,
    allowed_actions,
    apply_action,
    restore_customer,
    status_label,
)
from portal.htmx import redirect_after_post
from portal.i18n.messages import translated
from portal.merchants.action_copy import confirm_button, confirm_question, not_possible
from portal.merchants.blueprint import bp
from portal.merchants.categories import category_choices
from portal.merchants.customer_forms import ConfirmForm
from portal.merchants.customer_views import (
    action_label,
    current_actor,
    customer_url,
    display_name,
    list_url,
    load_customer,
)
from portal.merchants.list_forms import labelled_categories
from portal.staff.access import console_writer, owner_only


def done_message(action: Action, name: str) -> str:
    """The flash after an action, e.g. "Budi has been blocked", translated."""
    messages = {
        "accept": gettext("%(name)s has been accepted", name=name),
        "refuse": gettext("%(name)s has been refused", name=name),
        "activate": gettext("%(name)s has been activated", name=name),
        "block": gettext("%(name)s has been blocked", name=name),
        "unblock": gettext("%(name)s has been unblocked", name=name),
        "delete": gettext("%(name)s has been deleted", name=name),
    }
    return messages[action.name]


@bp.route("/customers/<int:customer_id>/actions/<action>", methods=["GET", "POST"])
@console_writer
def customer_action(customer_id: int, action: str) -> Response:
    """GET shows the confirmation step; POST runs the action (only if it fits the status)."""
    found = load_customer(customer_id)
    chosen = BY_NAME.get(action)
    if chosen is None:
        abort(404)
    if chosen not in allowed_actions(found):
        status = gettext(status_label(found.registration_status))
        flash(not_possible(chosen.name, status), "error")
        return redirect_after_post(customer_url(found))
    form = ConfirmForm()
    form.category.choices = labelled_categories(category_choices(found.merchant_id))
    if request.method == "GET":
        form.category.data = found.category_code
    elif form.validate_on_submit():
        name = display_name(found)
        category = form.category.data if chosen.name == "accept" else None
        try:
            apply_action(found, chosen.code, actor=current_actor(), category=category or None)
        except ServiceError as err:
            refused(err)
            flash(translated(err), "error")
            return redirect_after_post(customer_url(found))
        flash(done_message(chosen, name), "success")
        if chosen.name == "delete":
            return redirect_after_post(list_url())
        return redirect_after_post(customer_url(found))
    return Response(
        render_template(
            "merchants/confirm_action.html",
            customer=found,
            action=chosen,
            label=action_label(chosen),
            question=confirm_question(
                chosen.name,
                found.full_name or format_phone(found.display_phone, found.merchant.country_code),
            ),
            button=confirm_button(chosen.name),
            form=form,
        ),
        mimetype="text/html",
    )


@bp.post("/customers/<int:customer_id>/restore")
@owner_only
def restore(customer_id: int) -> Response:
    """Bring back a soft-deleted customer (owners only)."""
    found = load_customer(customer_id, include_deleted=True)
    try:
        restore_customer(found, actor=current_actor())
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
        return redirect_after_post(customer_url(found))
    flash(gettext("%(name)s has been restored", name=display_name(found)), "success")
    return redirect_after_post(customer_url(found))
