"""Hiding the getting-started checklist the customer list shows a new shop."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.merchants.blueprint import bp
from portal.merchants.checklist import dismiss_checklist
from portal.sessions import current_staff
from portal.staff.access import owner_only, staff_actor


class DismissChecklistForm(FlaskForm):
    """Only the CSRF token."""


@bp.post("/checklist/dismiss")
@owner_only
def dismiss_getting_started() -> Response:
    """The owner hides the checklist; it does not come back."""
    owner = current_staff()
    assert owner is not None
    if not DismissChecklistForm().validate_on_submit():
        abort(400)
    dismiss_checklist(owner.merchant, actor=staff_actor(owner))
    return redirect(url_for("merchants.customers"), code=303)
