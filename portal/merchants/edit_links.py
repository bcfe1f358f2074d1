"""Issuing short-lived edit links from the console and sending them to the customer by SMS."""

from __future__ import annotations

from sqlalchemy import select

from portal.core.audit import record_audit
from portal.core.error_codes import MerchantError
from portal.core.errors import Conflict, NotFound, ServiceError
from portal.customers.models import Customer, EditLink
from portal.extensions import db
from portal.links.services import PURPOSES, IssuedLink, issue_link, link_status, revoke_link
from portal.links.sms import link_sms_text
from portal.otp.sms import SmsError, send_sms


def send_link_by_sms(customer: Customer, purpose: str, *, actor: str, base_url: str) -> IssuedLink:
    """Issue a fresh link and text it to the customer's phone.

    `base_url` (scheme and host of the portal) is passed in by the caller because a
    service does not read the request. Without a phone the link is not issued at all.
    """
    phone = customer.display_phone
    if not phone:
        raise Conflict(MerchantError.NO_PHONE_FOR_LINK)
    issued = issue_link(customer, purpose, actor=actor)
    url = base_url.rstrip("/") + issued.url_path
    try:
        text = link_sms_text(customer.merchant.name, purpose, url, customer.language)
        send_sms(phone, text)
    except SmsError as exc:
        raise ServiceError(MerchantError.LINK_SMS_FAILED, status=502) from exc
    record_audit(
        merchant_id=customer.merchant_id,
        customer_id=customer.id,
        actor=actor,
        action="edit_link.sent",
        note=purpose,
    )
    return issued


def recent_links(customer: Customer, *, limit: int = 10) -> list[EditLink]:
    """The customer's latest links, newest first, for the console."""
    return list(
        db.session.scalars(
            select(EditLink)
            .where(
                EditLink.merchant_id == customer.merchant_id,
                EditLink.customer_id == customer.id,
            )
            .order_by(EditLink.created_at.desc(), EditLink.id.desc())
            .limit(limit)
        )
    )


def revoke_customer_link(customer: Customer, link_id: int, *, actor: str) -> EditLink:
    """Revoke one of this customer's links; any other id is NotFound."""
    # The URL converter takes any digits; past the column's range the driver would raise.
    if not 0 < link_id <= 2**31 - 1:
        raise NotFound(code=MerchantError.LINK_NOT_FOUND)
    link = db.session.scalar(
        select(EditLink).where(
            EditLink.id == link_id,
            EditLink.customer_id == customer.id,
            EditLink.merchant_id == customer.merchant_id,
        )
    )
    if link is None:
        raise NotFound(code=MerchantError.LINK_NOT_FOUND)
    revoke_link(link, actor=actor)
    return link


__all__ = [
    "PURPOSES",
    "issue_link",
    "link_status",
    "recent_links",
    "revoke_customer_link",
    "send_link_by_sms",
]
