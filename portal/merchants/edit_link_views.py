"""Short-lived edit links for one customer: issue one (shown once or sent by SMS), revoke one.

The links module is optional (portal.merchants.customer_views imports it if it is there);
without it these URLs answer 404, as the customer page then shows no link buttons.
"""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.phone import format_phone
from portal.htmx import redirect_after_post
from portal.i18n.messages import translated
from portal.merchants.blueprint import bp
from portal.merchants.customer_forms import LinkForm
from portal.merchants.customer_views import current_actor, customer_url, edit_links, load_customer
from portal.security import public_url
from portal.staff.access import console_writer


@bp.post("/customers/<int:customer_id>/links")
@console_writer
def issue_edit_link(customer_id: int) -> Response:
    """Issue a short-lived edit link: show it once, or text it to the customer."""
    if edit_links is None:
        abort(404)
    found = load_customer(customer_id)
    form = LinkForm()
    purpose = form.purpose.data or ""
    if not form.validate_on_submit() or purpose not in edit_links.PURPOSES:
        abort(400)
    send = request.form.get("send") == "sms"
    try:
        if send:
            issued = edit_links.send_link_by_sms(
                found, purpose, actor=current_actor(), base_url=public_url()
            )
        else:
            issued = edit_links.issue_link(found, purpose, actor=current_actor())
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
        return redirect_after_post(customer_url(found))
    if send:
        flash(
            gettext(
                "The link was sent by SMS to %(phone)s.",
                phone=format_phone(found.display_phone, found.merchant.country_code),
            ),
            "success",
        )
        return redirect_after_post(customer_url(found))
    response = Response(
        render_template(
            "merchants/link_issued.html",
            customer=found,
            purpose=purpose,
            url=public_url(issued.url_path),
            expires_at=issued.expires_at,
        ),
        mimetype="text/html",
    )
    # The page shows a live link once: no browser or proxy may keep a copy of it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/customers/<int:customer_id>/links/<int:link_id>/revoke")
@console_writer
def revoke_edit_link(customer_id: int, link_id: int) -> Response:
    """Cancel an unused edit link of this customer (another customer's link is 404)."""
    if edit_links is None:
        abort(404)
    found = load_customer(customer_id)
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    edit_links.revoke_customer_link(found, link_id, actor=current_actor())
    flash(gettext("The link has been cancelled."), "success")
    return redirect_after_post(customer_url(found))
