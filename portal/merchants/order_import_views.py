"""Recording orders from a file in the console: the template, the upload and its outcome.

Owners and SYSTEM staff only, like the customer import. The rules are
portal.customers.order_import's, shared with POST /api/open/orders/import; this module
keeps the refused rows as a file the merchant can download for a day.
"""

from __future__ import annotations

import os
import time
import uuid

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.error_codes import CustomerImportError
from portal.core.errors import ServiceError
from portal.customers import importing, order_import
from portal.i18n.messages import translated
from portal.merchants.blueprint import bp
from portal.merchants.customer_forms import OrderFileForm
from portal.merchants.customer_views import current_actor, signed_in_staff
from portal.staff.access import console_writer
from portal.uploads import allow_upload

KEEP_REJECTED_FOR = 24 * 3600
REJECTED_PREFIX = "orders-rejected-"


allow_upload(bp, "merchants.import_orders", order_import.MAX_BYTES)


@bp.get("/orders/import/template.csv")
@console_writer
def order_import_template() -> Response:
    response = Response(order_import.template_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="orders-template.csv"'
    return response


@bp.route("/orders/import", methods=["GET", "POST"])
@console_writer
def import_orders() -> Response:
    """GET shows the upload form; POST records the file's orders and shows the outcome."""
    form = OrderFileForm()
    context: dict = {"form": form, "outcome": None, "errors": [], "rejected_name": None}
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and form.file.data:
            status = _record_upload(form, context)
        else:
            status = 422
            if not form.file.data and not form.errors.get("csrf_token"):
                context["errors"] = [translated(ServiceError(CustomerImportError.FILE_REQUIRED))]
    return Response(
        render_template(
            "merchants/import_orders.html",
            max_rows=order_import.MAX_ROWS,
            translate_error=translated,
            first_errors=order_import.first_errors,
            **context,
        ),
        status=status,
        mimetype="text/html",
    )


def _record_upload(form: OrderFileForm, context: dict) -> int:
    merchant_id = signed_in_staff().merchant_id
    _, path = importing.keep_upload(merchant_id, form.file.data)
    try:
        outcome = order_import.import_orders(merchant_id, path, actor=current_actor())
    except ServiceError as err:
        refused(err)
        context["errors"] = [translated(err)]
        return 422
    finally:
        importing.forget_upload(path)
    context["outcome"] = outcome
    if outcome.rejected_rows:
        context["rejected_name"] = _keep_rejected(merchant_id, outcome.rejected_csv())
    return 200


def _rejected_path(merchant_id: int, name: str) -> str:
    return os.path.join(importing.upload_folder(), f"{REJECTED_PREFIX}{merchant_id}-{name}")


def _keep_rejected(merchant_id: int, text: str) -> str:
    """Write the refused rows where only this merchant's link finds them; files older than
    a day are removed at the same time."""
    _forget_old_rejected()
    name = uuid.uuid4().hex
    with open(_rejected_path(merchant_id, name), "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return name


def _forget_old_rejected() -> None:
    cutoff = time.time() - KEEP_REJECTED_FOR
    with os.scandir(importing.upload_folder()) as entries:
        for entry in entries:
            if entry.name.startswith(REJECTED_PREFIX) and entry.stat().st_mtime < cutoff:
                os.remove(entry.path)


@bp.get("/orders/import/rejected/<name>.csv")
@console_writer
def import_orders_rejected(name: str) -> Response:
    """The refused rows of an order file this merchant recorded, for a day."""
    if not importing.UPLOAD_NAME.match(name):
        abort(404)
    path = _rejected_path(signed_in_staff().merchant_id, name)
    if not os.path.exists(path) or os.path.getmtime(path) < time.time() - KEEP_REJECTED_FOR:
        abort(404)
    with open(path, encoding="utf-8") as handle:
        response = Response(handle.read(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="orders-rejected.csv"'
    return response
