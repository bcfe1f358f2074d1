"""/merchant/approvals: the customers who asked to join, accepted or refused here one by
one or together, with a reason, a confirmation before refusing, and Undo for 10 minutes.

The decision itself is portal.customers.approvals'; this module reads the form, keeps
the last decision's undo token in the session, and answers with redirects (PRG).
"""

from __future__ import annotations

import time

from flask import abort, flash, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.inputs import parse_id
from portal.core.zones import shop_clock
from portal.customers import approvals
from portal.htmx import redirect_after_post
from portal.i18n.messages import translated
from portal.merchants.blueprint import bp
from portal.merchants.bulk import parse_ids
from portal.merchants.customer_forms import ApprovalForm, UndoForm
from portal.merchants.customer_views import signed_in_staff
from portal.staff.access import console_reader, console_writer, staff_actor

UNDO_KEY = "approvals_undo"


def _undo_offer() -> dict | None:
    """The last decision, while it can still be undone."""
    offer = session.get(UNDO_KEY)
    if not offer or time.time() - offer.get("at", 0) > approvals.UNDO_SECONDS:
        session.pop(UNDO_KEY, None)
        return None
    return offer


@bp.get("/approvals")
@console_reader
def approvals_page() -> Response:
    """The oldest waiting requests first, 50 a page, with the decision form."""
    user = signed_in_staff()
    rows = approvals.waiting(user.merchant_id, after_id=parse_id(request.args.get("after", "")))
    more = len(rows) == approvals.PAGE_SIZE
    html = render_template(
        "merchants/approvals.html",
        rows=rows,
        next_url=url_for("merchants.approvals_page", after=rows[-1].id) if more else None,
        form=ApprovalForm(),
        undo_form=UndoForm(),
        undo=_undo_offer(),
        can_decide=user.can_write,
        clock=shop_clock(user.merchant.country_code, user.merchant.time_zone),
        active_nav="merchants.approvals_page",
    )
    return Response(html, mimetype="text/html")


def _chosen_ids() -> list[int]:
    only = request.args.get("only")
    return parse_ids([only] if only else request.form.getlist("ids"))


@bp.post("/approvals/decide")
@console_writer
def decide_approvals() -> Response:
    """Accept at once; refuse after a confirmation page; then back to the list."""
    form = ApprovalForm()
    if not form.validate_on_submit():
        abort(400)
    name = request.args.get("decision") or request.form.get("decision") or ""
    ids = _chosen_ids()
    if not ids:
        flash(gettext("Select at least one customer."), "error")
        return redirect_after_post(url_for("merchants.approvals_page"))
    if name == "refuse" and form.confirmed.data != "yes":
        return _confirm_refusal(form, ids)
    user = signed_in_staff()
    try:
        decision = approvals.decide(
            user.merchant_id,
            ids,
            name,
            actor=staff_actor(user),
            reason=form.reason.data,
            notify=bool(form.notify.data),
        )
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
        return redirect_after_post(url_for("merchants.approvals_page"))
    _remember(decision)
    return redirect_after_post(url_for("merchants.approvals_page"))


def _confirm_refusal(form: ApprovalForm, ids: list[int]) -> Response:
    user = signed_in_staff()
    chosen = approvals.waiting_among(user.merchant_id, ids)
    html = render_template(
        "merchants/confirm_refusal.html",
        customers=chosen,
        form=form,
        ids=[c.id for c in chosen],
        active_nav="merchants.approvals_page",
    )
    return Response(html, mimetype="text/html")


def _remember(decision: approvals.Decision) -> None:
    count = len(decision.decided)
    if decision.name == "accept":
        message = ngettext("%(num)s customer accepted.", "%(num)s customers accepted.", count)
    else:
        message = ngettext("%(num)s customer refused.", "%(num)s customers refused.", count)
    flash(message, "success")
    if decision.skipped:
        flash(
            ngettext(
                "%(num)s customer was no longer waiting and was left as they are.",
                "%(num)s customers were no longer waiting and were left as they are.",
                decision.skipped,
            ),
            "warning",
        )
    if decision.undo_token:
        session[UNDO_KEY] = {"token": decision.undo_token, "count": count, "at": time.time()}


@bp.post("/approvals/undo")
@console_writer
def undo_approvals() -> Response:
    """Undo the last decision within 10 minutes (the token is this session's)."""
    if not UndoForm().validate_on_submit():
        abort(400)
    offer = _undo_offer()
    if offer is None:
        flash(gettext("This can no longer be undone: 10 minutes have passed."), "error")
        return redirect_after_post(url_for("merchants.approvals_page"))
    user = signed_in_staff()
    try:
        moved = approvals.undo(user.merchant_id, offer["token"], actor=staff_actor(user))
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
    else:
        session.pop(UNDO_KEY, None)
        flash(
            ngettext(
                "%(num)s customer is waiting again.", "%(num)s customers are waiting again.", moved
            ),
            "success",
        )
    return redirect_after_post(url_for("merchants.approvals_page"))
