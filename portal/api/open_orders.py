"""Document 003's orders coming in under /api/open: an order system records an order
(once per PO number) and changes its status. SYSTEM tokens only."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from portal.api.auth import actor, current_token, per_token, require_token
from portal.api.contract import validate
from portal.api.schemas import orders as shapes
from portal.core.error_codes import CustomerImportError
from portal.core.errors import ServiceError
from portal.customers import importing, order_import
from portal.customers.order_intake import NewItem, change_order_status, get_order, record_order
from portal.staff.models import Permission
from portal.uploads import allow_upload

bp = Blueprint("api_open_orders", __name__, url_prefix="/api/open")
per_token(bp)


allow_upload(bp, "api_open_orders.import_orders", order_import.MAX_BYTES)


@bp.post("/orders")
@require_token(Permission.SYSTEM)
@validate({201: shapes.OrderCreated, 200: shapes.OrderCreated})
def create_order(json: shapes.OrderCreate) -> tuple[Response, int]:
    """Record an order: 201 when new, 200 with the same order_id for a known po_number."""
    intake = record_order(
        current_token().merchant_id,
        customer_id=json.customer_id,
        po_number=json.po_number,
        date=json.date,
        status=json.status,
        items=[NewItem(i.product_name, i.quantity, i.price) for i in json.items],
        actor=actor(),
    )
    body = jsonify(response="Success", data={"order_id": intake.order.id})
    return body, 201 if intake.created else 200


@bp.patch("/orders/<order_id>")
@require_token(Permission.SYSTEM)
@validate(shapes.OrderStatusChanged)
def change_status(order_id: str, json: shapes.OrderStatusChange) -> Response:
    """Change an order's status; another merchant's order is 404."""
    order = get_order(current_token().merchant_id, order_id)
    change_order_status(order, json.status, actor=actor())
    return jsonify(response="Success", data={"order_id": order.id, "status": order.product_status})


@bp.post("/orders/import")
@require_token(Permission.SYSTEM)
@validate(shapes.OrdersImported, form=shapes.OrdersUpload)
def import_orders() -> Response:
    """Record a file's orders (one row per item) by the rules of POST /orders; a refused
    order keeps the rest and is answered with its rows' errors."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ServiceError(CustomerImportError.FILE_REQUIRED, field="file", status=422)
    merchant_id = current_token().merchant_id
    _, path = importing.keep_upload(merchant_id, upload)
    try:
        outcome = order_import.import_orders(merchant_id, path, actor=actor())
    finally:
        importing.forget_upload(path)
    errors = [
        {"row": e.row, "column": e.column, "message": e.message}
        for e in order_import.first_errors(outcome.errors, limit=len(outcome.errors))
    ]
    data = {
        "recorded": outcome.recorded,
        "already_recorded": outcome.already_recorded,
        "rejected": outcome.rejected,
        "errors": errors,
    }
    return jsonify(response="Success", data=data)
