"""Document 003's open API, one customer's personal data: what is held (GET
/api/open/customer/data) and its erasure (POST /api/open/customer/erase). SYSTEM tokens
only: an OVERVIEW token reads lists, not everything about one person."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from portal.api.auth import actor, current_token, per_token, require_token
from portal.api.contract import validate
from portal.api.schemas import personal_data as shapes
from portal.customers.models import Customer
from portal.customers.personal_data import erase_customer, export_customer
from portal.customers.services import get_customer
from portal.staff.models import Permission

bp = Blueprint("api_open_personal_data", __name__, url_prefix="/api/open")
per_token(bp)


def _customer(ident: int | str) -> Customer:
    """The token's merchant's customer, deleted ones too (their data is still held)."""
    return get_customer(current_token().merchant_id, str(ident), include_deleted=True)


@bp.get("/customer/data")
@require_token(Permission.SYSTEM)
@validate(shapes.CustomerData, query_or_body=True)
def customer_data(query: shapes.CustomerDataQuery) -> Response:
    """Everything held about one customer; the export is recorded in its audit trail."""
    return jsonify(export_customer(_customer(query.id), actor=actor()))


@bp.post("/customer/erase")
@require_token(Permission.SYSTEM)
@validate(shapes.CustomerErased)
def customer_erase(json: shapes.CustomerErase) -> Response:
    """Erase one customer's personal data; the orders and their totals stay."""
    customer = _customer(json.id)
    erase_customer(customer, actor=actor())
    return jsonify(response="Success", data={"customer_id": customer.id})
