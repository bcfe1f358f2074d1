"""One status action on the customers selected in the list: confirm, then apply.

It answers the list's form rather than one customer's page, so it sends the user back to
the list (`next`), and a customer the action does not fit is skipped, not an error.
"""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.customers.models import Customer
from portal.customers.status import apply_action, find_action, status_label
from portal.customers.tags import merchant_tags
from portal.form_errors import add_error
from portal.htmx import redirect_after_post
from portal.i18n.messages import translated
from portal.merchants.action_copy import (
    bulk_done,
    bulk_question,
    bulk_skipped,
    bulk_tag_done,
    bulk_tag_question,
    bulk_tag_skipped,
    confirm_button,
)
from portal.merchants.blueprint import bp
from portal.merchants.bulk import (
    BulkResult,
    TagPlan,
    apply_bulk_tag,
    parse_ids,
    plan_bulk_tag,
    selected_customers,
    split_by_fit,
)
from portal.merchants.customer_forms import ConfirmForm, TagForm
from portal.merchants.customer_views import (
    action_label,
    current_actor,
    list_url,
    signed_in_staff,
)
from portal.redirects import safe_next
from portal.staff.access import console_writer, staff_actor


def _confirmation_page(plan: BulkResult, back: str, form: ConfirmForm) -> Response:
    """Which selected customers the action will change and which it will skip."""
    html = render_template(
        "merchants/confirm_bulk.html",
        plan=plan,
        label=action_label(plan.action),
        question=bulk_question(plan.action.name, len(plan.done)),
        button=confirm_button(plan.action.name),
        back=back,
        form=form,
        status_label=status_label,
    )
    return Response(html, mimetype="text/html")


def _apply_plan(plan: BulkResult, *, actor: str) -> None:
    """Apply the action to the customers it fits, one by one (each gets its audit entry)."""
    for found in plan.done:
        apply_action(found, plan.action.code, actor=actor)


def _flash_outcome(plan: BulkResult) -> None:
    if plan.done:
        flash(bulk_done(plan.action.name, len(plan.done)), "success")
    if plan.skipped:
        flash(bulk_skipped(len(plan.skipped)), "warning")


TAG_ACTIONS = ("add_tag", "remove_tag")


def _tag_page(
    customers: list[Customer], plan: TagPlan | None, back: str, form: TagForm, adding: bool
) -> Response:
    """The bulk tag confirmation: whom it changes and skips; without a valid tag, the
    "Tag" field to name it (shown with its error)."""
    html = render_template(
        "merchants/confirm_bulk_tag.html",
        customers=customers,
        plan=plan,
        adding=adding,
        action="add_tag" if adding else "remove_tag",
        question=bulk_tag_question(adding, plan.tag, len(plan.done)) if plan else "",
        back=back,
        form=form,
        tag_suggestions=merchant_tags(signed_in_staff().merchant_id),
    )
    return Response(html, status=422 if form.errors else 200, mimetype="text/html")


def _bulk_tag(merchant_id: int, ids: list[int], back: str) -> Response:
    """ "Add tag" or "Remove tag" on the selection: confirm, then apply to whom it fits."""
    adding = request.form.get("action") == "add_tag"
    try:
        customers = selected_customers(merchant_id, ids)
    except ServiceError as err:
        refused(err)
        flash(gettext("Choose an action and at most 100 customers."), "error")
        return redirect_after_post(back)
    if not customers:
        abort(404)
    form = TagForm()
    try:
        plan = plan_bulk_tag(merchant_id, customers, form.tag.data or "", adding=adding)
    except ServiceError as err:
        refused(err)
        add_error(form, "tag", translated(err))
        return _tag_page(customers, None, back, form, adding)
    if request.form.get("confirm") != "1" or not form.validate_on_submit() or not plan.done:
        return _tag_page(customers, plan, back, form, adding)
    apply_bulk_tag(plan, actor=current_actor())
    flash(bulk_tag_done(adding, plan.tag, len(plan.done)), "success")
    if plan.skipped:
        flash(bulk_tag_skipped(adding, len(plan.skipped)), "warning")
    return redirect_after_post(back)


@bp.post("/customers/bulk")
@console_writer
def bulk_action() -> Response:
    """Selected rows + an action: first a confirmation listing them, then apply."""
    user = signed_in_staff()
    back = safe_next(request.form.get("next"), list_url())
    ids = parse_ids(request.form.getlist("customer_ids") + request.form.getlist("ids"))
    if not ids:
        flash(gettext("Select at least one customer."), "error")
        return redirect_after_post(back)
    if request.form.get("action") in TAG_ACTIONS:
        return _bulk_tag(user.merchant_id, ids, back)
    try:
        chosen = find_action(request.form.get("action", ""))
        customers = selected_customers(user.merchant_id, ids)
    except ServiceError as err:
        refused(err)
        flash(gettext("Choose an action and at most 100 customers."), "error")
        return redirect_after_post(back)
    if not customers:
        abort(404)
    plan = split_by_fit(customers, chosen)
    form = ConfirmForm()
    if request.form.get("confirm") != "1" or not form.validate_on_submit():
        return _confirmation_page(plan, back, form)
    _apply_plan(plan, actor=staff_actor(user))
    _flash_outcome(plan)
    return redirect_after_post(back)
