"""Documents 001 and 004 on /v1/customers: list, read, create, update, delete, confirm."""

from __future__ import annotations

import math

from flask import Blueprint, Response, jsonify

from portal.api.auth import actor, current_token, per_phone, per_token, require_token
from portal.api.contract import validate
from portal.api.customer_pages import customer_list_page
from portal.api.idempotency import IdempotencyHeaders, idempotent
from portal.api.schemas import v1 as shapes
from portal.api.schemas.common import EmptyBody
from portal.api.serializers import customer_object, edit_links
from portal.core.error_codes import ApiError
from portal.core.errors import ServiceError
from portal.customers.labels import split_full_name
from portal.customers.models import Customer
from portal.customers.services import create_customer, get_customer, update_customer
from portal.customers.status import apply_action
from portal.otp.services import send_code, verify_code
from portal.staff.models import Permission

bp = Blueprint("api_customers_v1", __name__, url_prefix="/v1/customers")
per_token(bp)

ALREADY_CONFIRMED = "This customer is already confirmed"
NOTHING_TO_CONFIRM = "This customer has no phone number waiting for confirmation"
# Document 001's and 004's request names mapped onto the portal's field names.
RENAMES = {"phone_number": "phone", "unconfirmed_phone_number": "phone"}


def _portal_fields(data: shapes.CustomerCreate | shapes.CustomerUpdate) -> dict:
    """The fields sent, under the portal's names; document 004's `name` split in two."""
    given = data.model_dump(exclude_unset=True, exclude={"confirmation"})
    fields = {RENAMES.get(key, key): value for key, value in given.items()}
    if "name" in fields:
        first, last = split_full_name(fields.pop("name") or "")
        fields.setdefault("first_name", first)
        fields.setdefault("last_name", last)
    return fields


@bp.get("")
@require_token(Permission.OVERVIEW)
@validate(shapes.CustomerList)
def list_customers(query: shapes.CustomerQuery) -> Response:
    """Document 004's list shape: objects, num_results, page, total_pages; `q` filters.

    Deep pages follow next_cursor; num_results is capped (and labelled) where counting
    would read every customer (api/customer_pages.py).
    """
    found = customer_list_page(
        current_token().merchant_id,
        q=query.q,
        page=query.page,
        per_page=query.results_per_page,
        cursor=query.cursor,
    )
    return jsonify(
        objects=[customer_object(c) for c in found.customers],
        num_results=found.total,
        num_results_exact=found.total_is_exact,
        page=query.page,
        total_pages=math.ceil(found.total / query.results_per_page),
        next_cursor=found.next_cursor,
    )


@bp.get("/<customer_id>")
@require_token(Permission.OVERVIEW)
@validate(shapes.Customer)
def read_customer(customer_id: str) -> Response:
    """One customer, with fresh short-lived edit links (document 001)."""
    customer = get_customer(current_token().merchant_id, customer_id)
    links = edit_links(customer, actor=actor())
    return jsonify(customer_object(customer, links=links))


@bp.post("")
@require_token(Permission.SYSTEM)
@idempotent
@per_phone
@validate(shapes.Customer, status=201, headers=IdempotencyHeaders)
def create(json: shapes.CustomerCreate) -> tuple[Response, int]:
    """Document 001's create; `confirmation` (default true) sends a code, false confirms."""
    confirmation = json.confirmation is not False
    if json.unconfirmed_phone_number is not None and json.phone_number is not None:
        raise ServiceError(ApiError.BOTH_PHONES, field="phone")
    merchant = current_token().merchant
    customer = create_customer(
        merchant, _portal_fields(json), actor=actor(), confirmed=not confirmation
    )
    code = None
    if confirmation:
        code = send_code(
            merchant, customer.unconfirmed_phone, customer=customer, actor=actor()
        ).code
    return jsonify(customer_object(customer, code=code)), 201


@bp.put("/<customer_id>")
@require_token(Permission.SYSTEM)
@validate(shapes.Customer)
def put(customer_id: str, json: shapes.CustomerUpdate) -> Response:
    """Update a customer with PUT (document 001's curl, document 004)."""
    return _update(customer_id, json)


@bp.patch("/<customer_id>")
@require_token(Permission.SYSTEM)
@validate(shapes.Customer)
def patch(customer_id: str, json: shapes.CustomerUpdate) -> Response:
    """Update a customer with PATCH (document 001's request line)."""
    return _update(customer_id, json)


def _update(customer_id: str, json: shapes.CustomerUpdate) -> Response:
    customer = get_customer(current_token().merchant_id, customer_id)
    update_customer(customer, _portal_fields(json), actor=actor())
    return jsonify(customer_object(customer))


@bp.delete("/<customer_id>")
@require_token(Permission.SYSTEM)
@validate(None, status=204)
def delete(customer_id: str) -> tuple[str, int]:
    """Soft-delete a customer."""
    customer = get_customer(current_token().merchant_id, customer_id)
    apply_action(customer, "5", actor=actor())
    return "", 204


def _waiting_phone(customer: Customer) -> str:
    if customer.unconfirmed_phone is None:
        if customer.confirmed_at is not None:
            raise ServiceError("already_confirmed", ALREADY_CONFIRMED)
        raise ServiceError("nothing_to_confirm", NOTHING_TO_CONFIRM)
    return customer.unconfirmed_phone


@bp.post("/<customer_id>/confirm")
@require_token(Permission.SYSTEM)
@validate(shapes.Customer)
def confirm(customer_id: str, json: shapes.Confirmation) -> Response:
    """Promote unconfirmed_phone_number to phone_number with the code sent (422 if wrong)."""
    customer = get_customer(current_token().merchant_id, customer_id)
    token = str(json.confirmation_token)
    phone = _waiting_phone(customer)
    try:
        confirmed = verify_code(current_token().merchant, phone, token, actor=actor())
    except ServiceError as err:
        raise ServiceError(
            err.code, err.message, field="confirmation_token", persist=err.persist
        ) from err
    if confirmed.id != customer.id:
        raise ServiceError("invalid", "Unable to verify otp", field="confirmation_token")
    return jsonify(customer_object(customer))


@bp.post("/<customer_id>/generate_confirmation")
@require_token(Permission.SYSTEM)
@validate(None, status=201)
def generate_confirmation(customer_id: str, json: EmptyBody) -> tuple[str, int]:
    """Send a new confirmation code (fires a `verification` event); 201, empty body."""
    customer = get_customer(current_token().merchant_id, customer_id)
    phone = _waiting_phone(customer)
    send_code(current_token().merchant, phone, customer=customer, actor=actor())
    return "", 201
