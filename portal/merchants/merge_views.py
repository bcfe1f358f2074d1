"""Merging two records of one person from the console: the preview with a choice per
field, the merge itself, and its undo for 24 hours. What survives and what moves is
decided by portal.customers.merging; this module shows it and reads the choices."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.models import Region
from portal.customers.masking import may_see_documents
from portal.customers.merging import (
    MERGE_FIELDS,
    OTHER,
    SURVIVOR,
    FieldChoice,
    MergePlan,
    get_merge,
    merge_customers,
    plan_merge,
    undo_merge,
)
from portal.extensions import db
from portal.htmx import redirect_after_post
from portal.i18n.messages import translated
from portal.merchants.audit_sentences import value_labeller
from portal.merchants.blueprint import bp
from portal.merchants.categories import category_choices
from portal.merchants.customer_forms import CustomerForm, MergeForm
from portal.merchants.customer_presenter import shop_clock
from portal.merchants.customer_views import (
    current_actor,
    customer_url,
    display_name,
    service_errors,
    signed_in_staff,
)
from portal.staff.access import console_writer


def _field_labels() -> dict[str, str]:
    """Each field named as the customer edit form labels it; the district, which that
    form handles apart, by the word the customer page uses."""
    labels = {field.name: str(field.label.text) for field in CustomerForm(formdata=None)}
    labels["region_id"] = gettext("District")
    return labels


def _moving_lines(moving: dict[str, int]) -> list[str]:
    """What moves to the kept record, as sentences; kinds with nothing to move left out."""
    sentences = {
        "orders": lambda n: ngettext("%(num)d order", "%(num)d orders", n),
        "notes": lambda n: ngettext("%(num)d note", "%(num)d notes", n),
        "tags": lambda n: ngettext("%(num)d tag", "%(num)d tags", n),
        "consents": lambda n: ngettext("%(num)d consent record", "%(num)d consent records", n),
        "audit": lambda n: ngettext("%(num)d history entry", "%(num)d history entries", n),
        "links": lambda n: ngettext("%(num)d edit link", "%(num)d edit links", n),
    }
    return [sentences[kind](count) for kind, count in moving.items() if count and kind in sentences]


def _field_lines(plan: MergePlan) -> list[dict[str, Any]]:
    """Each field either record fills: its label, both values as people read them, and
    which one is kept (the merchant's answer after a refused POST, else the default)."""
    user = signed_in_staff()
    merchant = user.merchant
    label = value_labeller(
        categories=dict(category_choices(merchant.id)),
        when=shop_clock(merchant.country_code, merchant.time_zone).when,
        shop_country=merchant.country_code,
        documents=may_see_documents(role=user.role, permission=user.permission),
    )
    region_ids = {
        value
        for line in plan.fields
        if line.name == "region_id"
        for value in (line.survivor, line.other)
        if value is not None
    }
    regions = {
        region.id: region.label
        for region in db.session.query(Region).filter(Region.id.in_(region_ids))
    }

    def shown(line: FieldChoice, value: Any) -> str:
        if value is None or value == "":
            return ""
        if line.name == "region_id":
            return regions.get(value, str(value))
        return label(line.name, value)

    labels = _field_labels()
    return [
        {
            "name": line.name,
            "label": labels[line.name],
            "survivor": shown(line, line.survivor),
            "other": shown(line, line.other),
            "choice": line.needs_choice,
            "kept": request.form.get(f"keep-{line.name}", line.default),
        }
        for line in plan.fields
    ]


@bp.route("/customers/<int:customer_id>/merge/<int:other_id>", methods=["GET", "POST"])
@console_writer
def merge_customer(customer_id: int, other_id: int) -> Response:
    """GET previews merging `other_id` into `customer_id`; POST merges with the chosen
    values and returns to the kept record, where the merge can be undone."""
    user = signed_in_staff()
    try:
        plan = plan_merge(user.merchant_id, customer_id, other_id)
    except ServiceError as err:
        if err.status == 404:
            raise
        flash(translated(err), "error")
        return redirect_after_post(url_for("merchants.customer", customer_id=customer_id))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":  # CSRF is checked for every POST (portal/extensions.py)
        choices = {
            name: request.form.get(f"keep-{name}", "")
            for name in MERGE_FIELDS
            if f"keep-{name}" in request.form
        }
        try:
            merge_customers(plan, choices, actor=current_actor())
        except ServiceError as err:
            refused(err)
            errors, status = service_errors(err), 422
        else:
            flash(
                gettext(
                    "%(other)s has been merged into %(name)s. You can undo this for 24 hours.",
                    other=display_name(plan.other),
                    name=display_name(plan.survivor),
                ),
                "success",
            )
            return redirect_after_post(customer_url(plan.survivor))
    return Response(
        render_template(
            "merchants/merge.html",
            plan=plan,
            survivor_name=display_name(plan.survivor),
            other_name=display_name(plan.other),
            fields=_field_lines(plan),
            moving=_moving_lines(plan.moving),
            form=MergeForm(formdata=None),
            errors=errors,
            keep_survivor=SURVIVOR,
            keep_other=OTHER,
        ),
        status=status,
        mimetype="text/html",
    )


@bp.post("/customers/<int:customer_id>/merges/<int:merge_id>/undo")
@console_writer
def undo_customer_merge(customer_id: int, merge_id: int) -> Response:
    """Undo a merge into this record; both records come back as they were."""
    merge = get_merge(signed_in_staff().merchant_id, merge_id)
    back_to = url_for("merchants.customer", customer_id=customer_id)
    if merge.survivor_id != customer_id:
        abort(404)
    try:
        restored = undo_merge(merge, actor=current_actor())
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
        return redirect_after_post(back_to)
    flash(
        gettext(
            "The merge has been undone: %(name)s is a record of its own again.",
            name=display_name(restored),
        ),
        "success",
    )
    return redirect_after_post(back_to)
