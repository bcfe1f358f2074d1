"""Documents 001 and 004 on /v1/customers: list, read, create, update, soft delete."""

from __future__ import annotations

import math

from flask import Blueprint, Response, jsonify
from sqlalchemy import func, select

from portal.api.auth import current_token, require_token
from portal.api.serializers import customer_object
from portal.api.validation import int_arg, json_body, reject_unknown
from portal.core.errors import ServiceError
from portal.customers.models import Customer
from portal.customers.services import (
    EDITABLE_FIELDS,
    create_customer,
    get_customer,
    update_customer,
)
from portal.customers.status import apply_action
from portal.extensions import db
from portal.staff.models import Permission

bp = Blueprint("api_customers_v1", __name__, url_prefix="/v1/customers")

# Document 001's request names mapped onto the portal's field names.
RENAMES = {"phone_number": "phone"}
CREATE_FIELDS = {"phone_number", "country_code", "email", "first_name", "last_name", "confirmation"}
CREATE_FIELDS |= {"external_customer_id", "external_customer_code"}


def _actor() -> str:
    return f"api-token:{current_token().prefix}"


def _renamed(data: dict) -> dict:
    return {RENAMES.get(key, key): value for key, value in data.items()}


@bp.get("")
@require_token(Permission.OVERVIEW)
def list_customers() -> Response:
    """Document 004's list shape: objects, num_results, page, total_pages."""
    page = int_arg("page", 1)
    per_page = int_arg("results_per_page", 10, maximum=100)
    merchant_id = current_token().merchant_id
    scope = select(Customer).where(
        Customer.merchant_id == merchant_id, Customer.deleted_at.is_(None)
    )
    total = db.session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = db.session.scalars(
        scope.order_by(Customer.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return jsonify(
        objects=[customer_object(c) for c in rows],
        num_results=total,
        page=page,
        total_pages=math.ceil(total / per_page) if total else 0,
    )


@bp.get("/<ident>")
@require_token(Permission.OVERVIEW)
def read_customer(ident: str) -> Response:
    return jsonify(customer_object(get_customer(current_token().merchant_id, ident)))


@bp.post("")
@require_token(Permission.SYSTEM)
def create() -> tuple[Response, int]:
    """Document 001's create; `confirmation` false makes a confirmed customer."""
    data = json_body()
    reject_unknown(data, CREATE_FIELDS)
    confirmation = data.pop("confirmation", True)
    if not isinstance(confirmation, bool):
        raise ServiceError("invalid", "confirmation must be a boolean", field="confirmation")
    customer = create_customer(
        current_token().merchant, _renamed(data), actor=_actor(), confirmed=not confirmation
    )
    db.session.commit()
    return jsonify(customer_object(customer)), 201


@bp.route("/<ident>", methods=["PATCH", "PUT"])
@require_token(Permission.SYSTEM)
def update(ident: str) -> Response:
    """PUT (document 001's curl) and PATCH (its HTTP request line) both update."""
    customer = get_customer(current_token().merchant_id, ident)
    data = _renamed(json_body())
    update_customer(customer, data, actor=_actor(), allowed=EDITABLE_FIELDS)
    db.session.commit()
    return jsonify(customer_object(customer))


@bp.delete("/<ident>")
@require_token(Permission.SYSTEM)
def delete(ident: str) -> tuple[str, int]:
    customer = get_customer(current_token().merchant_id, ident)
    apply_action(customer, "5", actor=_actor())
    db.session.commit()
    return "", 204
