"""Changing a signed-in customer's phone: the new number is confirmed by a code first."""

from __future__ import annotations

from portal.core.error_codes import CustomerError
from portal.core.errors import Conflict, ServiceError
from portal.customers.fields import clean_fields
from portal.customers.models import Customer
from portal.customers.services import _phone_in_use
from portal.extensions import db
from portal.otp.services import SentCode, send_code, verify_code


def start_phone_change(customer: Customer, raw_phone: str, *, actor: str) -> SentCode:
    """Keep the new number as unconfirmed and text it a code; the old number stays in use.

    Raises ValidationFailed for a bad number, Conflict when another customer has it.
    """
    cleaned = clean_fields(
        {"phone": raw_phone}, merchant_id=customer.merchant_id, country=customer.country_code
    )
    e164 = cleaned["phone"]
    if e164 == customer.phone:
        raise ServiceError(CustomerError.SAME_PHONE, field="phone")
    if _phone_in_use(customer.merchant_id, e164, exclude_id=customer.id):
        raise Conflict(CustomerError.PHONE_TAKEN, field="phone")
    customer.unconfirmed_phone = e164
    db.session.flush()
    return send_code(
        customer.merchant, e164, customer=customer, actor=actor, purpose="phone_change"
    )


def confirm_phone_change(customer: Customer, code: str, *, actor: str) -> Customer:
    """Check the code sent to the new number; on success it becomes the customer's phone.

    A wrong code raises a ServiceError with persist=True (the attempt must be committed).
    """
    if not customer.unconfirmed_phone or not customer.phone:
        raise ServiceError(CustomerError.NO_CHANGE_PENDING, field="code")
    confirmed = verify_code(customer.merchant, customer.unconfirmed_phone, code, actor=actor)
    if confirmed.id != customer.id:
        raise ServiceError(CustomerError.NO_CHANGE_PENDING, field="code")
    return confirmed
