"""Document 000: the partner app's customer endpoints and the retailer assistant's."""

from __future__ import annotations

from portal.api.schemas.base import Answer, Body
from portal.api.schemas.common import Int, Numeric, RecordId, Text


class Details(Answer):
    name: str
    phone: str | None
    email: str | None


class Confirm(Body):
    """Without partner_id: the partner app's confirmation; with it: an assistant's."""

    phone: Numeric
    first_name: Text | None = None
    last_name: Text | None = None
    partner_id: RecordId | None = None
    gender: Text | None = None
    age: Int | None = None
    email: Text | None = None


class PhoneOnly(Body):
    phone: Numeric


class VerifyToken(Body):
    phone: Numeric
    otp: Numeric
    token: Text


class OtpResend(Body):
    """Phone alone resends; phone and otp verify."""

    phone: Numeric
    otp: Numeric | None = None


class PartnerCustomer(Answer):
    """Document 000's `customer_id` object; `otp` is null outside test mode."""

    id: int
    otp: str | None
    email: str | None
    phone: str | None
    age: int | None
    full_name: str
    is_deleted: bool
    whatsapp: str | None
    viber: str | None
    imo: str | None
    nid: str | None
    home_address: str | None
    status: str
    first_name: str | None
    last_name: str | None
    created_at: str | None
    updated_at: str | None
    is_loyal: bool
    gender: str | None
    registerable_type: str | None
    registerable_id: int | None
    user_type: str | None
    date_of_birth: str | None
    temporary_otp: str | None
    temporary_phone: str | None
    category: str
    verifiable_type: str | None
    verifiable_id: int | None
    verified_at: str | None
    is_app_download: bool | None
    has_smart_phone: bool | None
    partner_id: int | None
    is_otp_verified: bool


class CodeSent(Answer):
    success: bool
    token: str
    customer_id: PartnerCustomer
    message: str


class Registered(Answer):
    """The retailer assistant's registration: 201 "successfully created"."""

    success: bool
    message: str
    status_code: int
    otp: str | None = None


class Resent(Answer):
    success: bool
    token: str
    customer_id: int
    message: str
    otp: str | None


class Verified(Answer):
    message: str
    customer_id: int


class AssistantAnswer(Answer):
    success: bool
    status_code: int
    message: str
    otp: str | None = None
