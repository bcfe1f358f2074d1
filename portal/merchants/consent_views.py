"""The shop records a customer's marketing consent from the customer page: the customer
said yes or no at the counter, on the phone or on a paper form.

The record is the same as every other (portal/customers/consent.py): the channel, the
time, the source "merchant", the sentence "Recorded by the shop" and the staff member
who recorded it, audited and announced to webhooks. One-time codes never depend on it.
"""

from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.customers.consent import CHANNEL_LABELS, CHANNELS, record_consent
from portal.htmx import redirect_after_post
from portal.merchants.blueprint import bp
from portal.merchants.customer_views import current_actor, customer_url, load_customer
from portal.staff.access import console_writer

ANSWERS = {"yes": True, "no": False}


@bp.post("/customers/<int:customer_id>/consent/<channel>")
@console_writer
def record_customer_consent(customer_id: int, channel: str) -> Response:
    """Record the customer's answer (`granted` = yes or no) on one channel."""
    found = load_customer(customer_id)  # another merchant's, or deleted: 404
    if channel not in CHANNELS:
        abort(404)
    granted = ANSWERS.get(request.form.get("granted", ""))
    if granted is None:
        abort(400)
    record = record_consent(found, channel, granted, "merchant", actor=current_actor())
    label = str(CHANNEL_LABELS[channel])
    if record is None:
        flash(gettext("%(consent)s was already recorded so.", consent=label), "info")
    elif granted:
        flash(gettext("%(consent)s recorded: the customer agreed.", consent=label), "success")
    else:
        flash(gettext("%(consent)s recorded: the customer withdrew it.", consent=label), "success")
    return redirect_after_post(customer_url(found))
