"""Document 000: the partner app's customer endpoints under /partner/api/v1/customer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify

from portal.api.auth import (
    actor,
    current_token,
    per_phone,
    per_token,
    require_token,
    token_sees_documents,
)
from portal.api.contract import validate
from portal.api.schemas import partner as shapes
from portal.api.serializers import echo_code, partner_customer_object
from portal.assist.services import Outcome, register_walk_in
from portal.core.error_codes import OtpError
from portal.core.errors import NotFound, ServiceError
from portal.core.phone import normalise_phone
from portal.customers.models import Customer, RegisteredBy
from portal.customers.services import (
    NOT_FOUND_MESSAGE,
    create_customer,
    find_by_phone,
    get_customer,
)
from portal.errors import error_fields, json_error
from portal.extensions import db
from portal.merchants.models import Partner
from portal.otp.services import send_code, verify_code
from portal.staff.models import Permission

bp = Blueprint("api_partner", __name__, url_prefix="/partner/api/v1/customer")
per_token(bp)

UNABLE_TO_VERIFY_CUSTOMER = "Unable to verify customer"
OTP_MISMATCH = "OTP does not match"
ALREADY_REGISTERED = "This customer is already registered; verify them with resend_otp."


@bp.errorhandler(ServiceError)
def service_error(err: ServiceError) -> Response:
    """Document 000's error body, with `success: false` as its assistant endpoints show."""
    response = json_error(err.message, err.status, success=False, **error_fields(err))
    if err.retry_after:
        response.headers["Retry-After"] = str(err.retry_after)
    return response


def sends_codes(view: Callable[..., Any]) -> Callable[..., Any]:
    """Endpoints that send or check codes: a SYSTEM token bound to a partner, and the
    per-phone limit on top of the per-token one."""
    return require_token(Permission.SYSTEM, partner=True)(per_phone(view))


def _check_code(
    phone: str, otp: object, *, wording: str, status: int = 422, token: str | None = None
) -> Customer:
    """Check a code, refused in this endpoint's own words (a wrong code still counts:
    the refusal keeps `persist`)."""
    merchant = current_token().merchant
    try:
        return verify_code(merchant, phone, str(otp), actor=actor(), token=token)
    except ServiceError as err:
        raise ServiceError(
            err.code, wording, field="otp", status=status, persist=err.persist
        ) from err


def _phone(raw: object) -> str:
    return normalise_phone(str(raw), current_token().merchant.country_code).e164


def _customer_for(phone: str) -> Customer:
    customer = find_by_phone(current_token().merchant_id, phone, include_deleted=False)
    if customer is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return customer


def _send(customer: Customer, phone: str):  # -> SentCode
    return send_code(current_token().merchant, phone, customer=customer, actor=actor())


@bp.get("/<customer_id>/details")
@require_token(Permission.OVERVIEW, partner=True)
@validate(shapes.Details)
def details(customer_id: str) -> Response:
    """Name, phone and email of one customer of the token's merchant."""
    customer = get_customer(current_token().merchant_id, customer_id)
    return jsonify(name=customer.full_name, phone=customer.display_phone, email=customer.email)


@bp.post("/confirm")
@sends_codes
@validate({200: shapes.CodeSent, 201: shapes.Registered})
def confirm(json: shapes.Confirm) -> tuple[Response, int]:
    """Without partner_id: create or reuse the customer and send a code (200).

    With partner_id (a retailer assistant's registration): create the customer for that
    partner with gender and age, send a code, and answer 201 "successfully created".
    """
    data = json.model_dump(exclude_none=True)
    phone = _phone(json.phone)
    merchant = current_token().merchant
    if json.partner_id is not None:
        return _assistant_registration(data, phone)
    extra = {k: data[k] for k in ("gender", "age", "email") if k in data}
    customer = find_by_phone(merchant.id, phone)
    if customer is not None and (customer.deleted_at or customer.is_blocked):
        raise ServiceError("unable", UNABLE_TO_VERIFY_CUSTOMER)
    created = customer is None
    if created:
        fields = {"phone": phone, **extra}
        fields |= {k: data[k] for k in ("first_name", "last_name") if data.get(k)}
        customer = create_customer(
            merchant,
            fields,
            actor=actor(),
            registered_by=RegisteredBy.PARTNER,
            partner_id=current_token().partner_id,
        )
    sent = _send(customer, phone)
    message = "New customer created and otp sent." if created else "otp sent"
    return jsonify(
        success=True,
        token=sent.token,
        customer_id=partner_customer_object(
            customer, code=sent.code, documents=token_sees_documents()
        ),
        message=message,
    ), 200


def _assistant_registration(data: dict, phone: str) -> tuple[Response, int]:
    """The retailer-assistant form of /confirm: the same rules as the /assist/ pages."""
    token = current_token()
    partner = db.session.get(Partner, data["partner_id"])
    if partner is None or partner.merchant_id != token.merchant_id:
        raise ServiceError("partner_invalid", "Unknown partner", field="partner_id", status=404)
    if token.partner_id != partner.id:
        raise ServiceError(
            "partner_forbidden",
            "This token cannot register customers for that partner",
            field="partner_id",
            status=403,
        )
    registration = register_walk_in(
        token.merchant, {**data, "phone": phone}, partner_id=partner.id, actor=actor()
    )
    if registration.outcome is Outcome.ALREADY_REGISTERED:
        raise ServiceError("already_registered", ALREADY_REGISTERED, field="phone")
    answer = {"success": True, "message": "successfully created", "status_code": 201}
    if registration.sent is not None and echo_code(registration.sent.code):
        answer["otp"] = echo_code(registration.sent.code)
    return jsonify(answer), 201


@bp.post("/resend_otp")
@sends_codes
@validate(shapes.Resent)
def resend_otp(json: shapes.PhoneOnly) -> Response:
    """Send a new code to a known customer's phone."""
    phone = _phone(json.phone)
    customer = _customer_for(phone)
    sent = _send(customer, phone)
    answer = {"success": True, "token": sent.token, "customer_id": customer.id}
    answer |= {"message": "otp sent", "otp": echo_code(sent.code)}
    return jsonify(answer)


@bp.post("/verify_token")
@sends_codes
@validate(shapes.Verified)
def verify_token(json: shapes.VerifyToken) -> Response:
    """Check the code and the token of the latest send; confirm the phone."""
    phone = _phone(json.phone)
    customer = _check_code(phone, json.otp, wording=OtpError.NO_CODE.message, token=json.token)
    return jsonify(message="OTP verified.", customer_id=customer.id)


@bp.post("/otp_resend")
@sends_codes
@validate(shapes.AssistantAnswer)
def otp_resend(json: shapes.OtpResend) -> Response:
    """The retailer assistant's endpoint: phone alone resends; phone and otp verify."""
    phone = _phone(json.phone)
    customer = _customer_for(phone)
    if json.otp in (None, ""):
        sent = _send(customer, phone)
        answer = {"success": True, "status_code": 200, "message": "Successfully otp sent"}
        if echo_code(sent.code):
            answer["otp"] = echo_code(sent.code)
        return jsonify(answer)
    _check_code(phone, json.otp, wording=OTP_MISMATCH, status=404)
    return jsonify(success=True, status_code=200, message="OTP verified.")
