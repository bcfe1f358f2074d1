"""Document 003's orders coming in under /api/open: an order system records an order
(once per PO number) and changes its status. SYSTEM tokens only."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from portal.api.auth import actor, current_token, per_token, require_token
from portal.api.contract import validate
from portal.api.schemas import orders as shapes
from portal.customers.order_intake import NewItem, change_order_status, get_order, record_order
from portal.staff.models import Permission

bp = Blueprint("api_open_orders", __name__, url_prefix="/api/open")
per_token(bp)


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
