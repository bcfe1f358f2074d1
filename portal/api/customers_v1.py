"""Documents 001 and 004 on /v1/customers: list, read, create, update, delete, confirm."""

from __future__ import annotations

import math

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import func, select

from portal.api.auth import actor, current_token, per_phone, per_token, require_token
from portal.api.query import apply_q
from portal.api.serializers import customer_object, edit_links
from portal.api.validation import check_fields, int_arg, json_body
from portal.core.errors import ServiceError
from portal.customers.labels import split_full_name
from portal.customers.models import Customer
from portal.customers.services import (
    EDITABLE_FIELDS,
    create_customer,
    get_customer,
    update_customer,
)
from portal.customers.status import apply_action
from portal.extensions import db
from portal.otp.services import send_code, verify_code
from portal.staff.models import Permission

bp = Blueprint("api_customers_v1", __name__, url_prefix="/v1/customers")
per_token(bp)

ALREADY_CONFIRMED = "This customer is already confirmed"
NOTHING_TO_CONFIRM = "This customer has no phone number waiting for confirmation"
TEXT = (str,)
# Document 001's and 004's request names mapped onto the portal's field names.
RENAMES = {"phone_number": "phone", "unconfirmed_phone_number": "phone"}
CREATE_SPEC: dict[str, tuple[type, ...]] = {
    "unconfirmed_phone_number": TEXT,
    "phone_number": TEXT,
    "country_code": TEXT,
    "email": TEXT,
    "first_name": TEXT,
    "last_name": TEXT,
    "confirmation": (bool,),
    "external_customer_id": (int,),
    "external_customer_code": TEXT,
}
# Document 004's PUT sends `name`; the portal keeps first and last names.
UPDATE_ALLOWED = EDITABLE_FIELDS | {"name"}


def _renamed(data: dict) -> dict:
    return {RENAMES.get(key, key): value for key, value in data.items()}


def _with_name_split(data: dict) -> dict:
    if "name" in data:
        name = data.pop("name")
        if not isinstance(name, str):
            raise ServiceError("invalid", "name must be a string", field="name")
        first, last = split_full_name(name)
        data.setdefault("first_name", first)
        data.setdefault("last_name", last)
    return data


@bp.get("")
@require_token(Permission.OVERVIEW)
def list_customers() -> Response:
    """Document 004's list shape: objects, num_results, page, total_pages; `q` filters."""
    page = int_arg("page", 1, maximum=10**6)
    per_page = int_arg("results_per_page", 10, maximum=100)
    merchant_id = current_token().merchant_id
    scope = select(Customer).where(
        Customer.merchant_id == merchant_id, Customer.deleted_at.is_(None)
    )
    scope = apply_q(scope, request.args.get("q"))
    total = db.session.scalar(select(func.count()).select_from(scope.order_by(None).subquery()))
    rows = db.session.scalars(scope.offset((page - 1) * per_page).limit(per_page)).all()
    return jsonify(
        objects=[customer_object(c) for c in rows],
        num_results=total or 0,
        page=page,
        total_pages=math.ceil(total / per_page) if total else 0,
    )


@bp.get("/<ident>")
@require_token(Permission.OVERVIEW)
def read_customer(ident: str) -> Response:
    """One customer, with fresh short-lived edit links (document 001)."""
    customer = get_customer(current_token().merchant_id, ident)
    links = edit_links(customer, actor=actor())
    return jsonify(customer_object(customer, links=links))


@bp.post("")
@require_token(Permission.SYSTEM)
@per_phone
def create() -> tuple[Response, int]:
    """Document 001's create; `confirmation` (default true) sends a code, false confirms."""
    data = check_fields(json_body(), CREATE_SPEC)
    confirmation = data.pop("confirmation", True)
    if confirmation is None:
        confirmation = True
    if "unconfirmed_phone_number" in data and "phone_number" in data:
        raise ServiceError(
            "invalid", "Send unconfirmed_phone_number or phone_number, not both", field="phone"
        )
    merchant = current_token().merchant
    customer = create_customer(merchant, _renamed(data), actor=actor(), confirmed=not confirmation)
    code = None
    if confirmation:
        code = send_code(
            merchant, customer.unconfirmed_phone, customer=customer, actor=actor()
        ).code
    return jsonify(customer_object(customer, code=code)), 201


@bp.route("/<ident>", methods=["PATCH", "PUT"])
@require_token(Permission.SYSTEM)
def update(ident: str) -> Response:
    """PUT (document 001's curl, document 004) and PATCH (001's request line) both update."""
    customer = get_customer(current_token().merchant_id, ident)
    data = json_body()
    unknown = sorted(set(data) - UPDATE_ALLOWED - set(RENAMES))
    if unknown:
        raise ServiceError(
            "unknown_field", f"Unknown or read-only field: {unknown[0]}", field=unknown[0]
        )
    update_customer(customer, _with_name_split(_renamed(data)), actor=actor())
    return jsonify(customer_object(customer))


@bp.delete("/<ident>")
@require_token(Permission.SYSTEM)
def delete(ident: str) -> tuple[str, int]:
    customer = get_customer(current_token().merchant_id, ident)
    apply_action(customer, "5", actor=actor())
    return "", 204


def _waiting_phone(customer: Customer) -> str:
    if customer.unconfirmed_phone is None:
        if customer.confirmed_at is not None:
            raise ServiceError("already_confirmed", ALREADY_CONFIRMED)
        raise ServiceError("nothing_to_confirm", NOTHING_TO_CONFIRM)
    return customer.unconfirmed_phone


@bp.post("/<ident>/confirm")
@require_token(Permission.SYSTEM)
def confirm(ident: str) -> Response:
    """Promote unconfirmed_phone_number to phone_number with the code sent (422 if wrong)."""
    customer = get_customer(current_token().merchant_id, ident)
    data = check_fields(
        json_body(), {"confirmation_token": (str, int)}, required={"confirmation_token"}
    )
    phone = _waiting_phone(customer)
    try:
        confirmed = verify_code(
            current_token().merchant, phone, str(data["confirmation_token"]), actor=actor()
        )
    except ServiceError as err:
        raise ServiceError(
            err.code, err.message, field="confirmation_token", persist=err.persist
        ) from err
    if confirmed.id != customer.id:
        raise ServiceError("invalid", "Unable to verify otp", field="confirmation_token")
    return jsonify(customer_object(customer))


@bp.post("/<ident>/generate_confirmation")
@require_token(Permission.SYSTEM)
def generate_confirmation(ident: str) -> tuple[str, int]:
    """Send a new confirmation code (fires a `verification` event); 201, empty body."""
    customer = get_customer(current_token().merchant_id, ident)
    if request.get_data(cache=True).strip():
        check_fields(json_body(), {})
    phone = _waiting_phone(customer)
    send_code(current_token().merchant, phone, customer=customer, actor=actor())
    return "", 201
