"""The language switcher every page shows."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request, session
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.customers.services import set_language
from portal.errors import json_error, wants_json
from portal.i18n.locale import is_supported
from portal.redirects import referrer_path, safe_next
from portal.sessions import current_customer, current_staff
from portal.staff.accounts import set_staff_language

bp = Blueprint("i18n", __name__)


def _unsupported() -> Response:
    """A clear 400 page (or JSON for API clients) naming the languages on offer."""
    names = ", ".join(current_app.config["LANGUAGES"].values())
    message = gettext("This language is not available. Choose one of: %(names)s.", names=names)
    if wants_json():
        return json_error(message, 400)
    return make_response(render_template("errors/error.html", status=400, message=message), 400)


@bp.post("/language")
def switch_language() -> Response:
    """Keep the visitor's choice in the session; a signed-in customer's profile or staff
    member's account keeps it too, so it follows them to another device."""
    code = request.form.get("language", "")
    if not is_supported(code):
        return _unsupported()
    session["language"] = code
    customer = current_customer()
    if customer is not None:
        set_language(customer, code, actor=f"customer:{customer.id}")
    staff = current_staff()
    if staff is not None:
        set_staff_language(staff, code)
    return redirect(safe_next(request.form.get("next"), referrer_path()), code=303)
