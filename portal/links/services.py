"""Short-lived edit links for billing address, shipping address and card (document 001).

A link is a random code (only its keyed hash is stored) bound to one customer and one
purpose; it expires after EDIT_LINK_TTL_SECONDS, can be revoked, and is used up by the
first successful save. Nothing here reads the request; the request
boundary commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from portal.core.audit import diff, record_change
from portal.core.error_codes import CustomerError, LinkError
from portal.core.errors import NotFound, ServiceError
from portal.core.hashing import keyed_hash
from portal.core.models import Region
from portal.core.time import as_utc, utcnow
from portal.customers.fields import ValidationFailed, clean_fields
from portal.customers.models import Address, Customer, EditLink, PaymentCard
from portal.extensions import db
from portal.links.vault import CardVault, check_card, default_vault

PURPOSES: tuple[str, ...] = ("billing", "shipping", "card")
ADDRESS_PURPOSES: tuple[str, ...] = ("billing", "shipping")
CODE_BYTES = 9  # 12 URL-safe characters; the brief asks for at least 8.

# The sentences, for callers that compare them (pages translate them by code).
TOO_LONG = "Use at most %(max)d characters."

ADDRESS_LIMITS: dict[str, int] = {"recipient": 200, "line1": 300, "line2": 300}


@dataclass(frozen=True)
class IssuedLink:
    """A fresh link: the path to send (holds the plain code, shown once) and its expiry."""

    url_path: str
    expires_at: datetime
    link: EditLink

    @property
    def code(self) -> str:
        return self.url_path.rsplit("/", 1)[-1]


def code_hash(code: str) -> str:
    return keyed_hash(code.strip(), purpose="edit-link")


def link_status(link: EditLink, *, now: datetime | None = None) -> str:
    """'active', 'used', 'revoked' or 'expired' (in that order of precedence)."""
    now = now or utcnow()
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "revoked"
    expires = as_utc(link.expires_at)
    if expires is None or expires <= now:
        return "expired"
    return "active"


def issue_link(customer: Customer, purpose: str, *, actor: str) -> IssuedLink:
    """Create a link for `customer` to edit one thing; records an event and an audit entry."""
    if purpose not in PURPOSES:
        raise ServiceError(LinkError.PURPOSE_UNKNOWN, field="purpose")
    if customer.deleted_at is not None:
        raise NotFound("Unable to find customer")
    code = secrets.token_urlsafe(CODE_BYTES)
    expires_at = utcnow() + timedelta(seconds=current_app.config["EDIT_LINK_TTL_SECONDS"])
    link = EditLink(
        merchant_id=customer.merchant_id,
        customer_id=customer.id,
        purpose=purpose,
        code_hash=code_hash(code),
        expires_at=expires_at,
        created_by=actor,
    )
    db.session.add(link)
    db.session.flush()
    record_change(
        customer.merchant_id,
        customer.id,
        actor=actor,
        action="edit_link.issued",
        payload={"purpose": purpose, "link_id": link.id, "expires_at": expires_at},
        note=purpose,
    )
    return IssuedLink(url_path=f"/l/{code}", expires_at=expires_at, link=link)


def find_link(code: str) -> EditLink | None:
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(EditLink).where(EditLink.code_hash == code_hash(code)))


def resolve_link(code: str, purpose: str | None = None) -> EditLink:
    """The usable link for `code`: unknown -> 404; expired, used or revoked -> 410."""
    link = find_link(code)
    if link is None or (purpose is not None and link.purpose != purpose):
        raise NotFound(code=LinkError.UNKNOWN)
    return ensure_usable(link)


def ensure_usable(link: EditLink) -> EditLink:
    """Re-check a loaded link (it may have expired or been used since it was read)."""
    if link.customer is None or link.customer.deleted_at is not None:
        raise NotFound(code=LinkError.UNKNOWN)
    if link_status(link) != "active":
        raise _gone(link)
    return link


def _gone(link: EditLink) -> ServiceError:
    """The 410 for a link that cannot be used; a lost race reads as 'used'."""
    status = link_status(link)
    if status == "active":
        status = "used"
    code = {"used": LinkError.USED, "revoked": LinkError.REVOKED, "expired": LinkError.EXPIRED}
    return ServiceError(code[status], status=410)


def revoke_link(link: EditLink, *, actor: str) -> None:
    """Cancel a link that has not been used; revoking twice changes nothing."""
    if link.revoked_at is not None or link.used_at is not None:
        return
    link.revoked_at = utcnow()
    db.session.flush()
    record_change(
        link.merchant_id,
        link.customer_id,
        actor=actor,
        action="edit_link.revoked",
        payload={"purpose": link.purpose, "link_id": link.id},
        note=link.purpose,
    )


def links_for(customer: Customer) -> list[EditLink]:
    """A customer's links, newest first (for the console)."""
    return list(
        db.session.scalars(
            select(EditLink)
            .where(EditLink.customer_id == customer.id)
            .order_by(EditLink.created_at.desc(), EditLink.id.desc())
        )
    )


def _use_up(link: EditLink) -> None:
    """Mark the link used, atomically: a concurrent second save finds it gone (410)."""
    now = utcnow()
    result = db.session.execute(
        update(EditLink)
        .where(
            EditLink.id == link.id,
            EditLink.used_at.is_(None),
            EditLink.revoked_at.is_(None),
            EditLink.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(link)
        raise _gone(link)
    link.used_at = now


def current_address(customer_id: int, kind: str) -> Address | None:
    return db.session.scalar(
        select(Address).where(Address.customer_id == customer_id, Address.kind == kind)
    )


def current_card(customer_id: int) -> PaymentCard | None:
    return db.session.scalar(select(PaymentCard).where(PaymentCard.customer_id == customer_id))


def clean_address(data: dict[str, Any], *, merchant_id: int) -> dict[str, Any]:
    """Validate an address: street, district from the list, postal code of that district."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for field, limit in ADDRESS_LIMITS.items():
        text = str(data.get(field) or "").strip() or None
        if text is not None and len(text) > limit:
            errors[field] = TOO_LONG % {"max": limit}
        cleaned[field] = text
    if not cleaned.get("line1") and "line1" not in errors:
        errors["line1"] = ServiceError(LinkError.LINE1_REQUIRED, field="line1")
    try:
        shared = clean_fields(
            {"region_id": data.get("region_id"), "postal_code": data.get("postal_code")},
            merchant_id=merchant_id,
        )
    except ValidationFailed as exc:
        errors.update(exc.problems)
        shared = {}
    region_id = shared.get("region_id")
    postal = shared.get("postal_code")
    if region_id is None and "region_id" not in errors:
        errors["region_id"] = ServiceError(CustomerError.REGION_INVALID, field="region_id")
    if not postal and "postal_code" not in errors:
        errors["postal_code"] = ServiceError(LinkError.POSTAL_REQUIRED, field="postal_code")
    if region_id is not None and postal and "postal_code" not in errors:
        region = db.session.get(Region, region_id)
        prefix = (region.postal_prefix or "") if region else ""
        if prefix and not postal.replace(" ", "").startswith(prefix):
            errors["postal_code"] = ServiceError(LinkError.POSTAL_MISMATCH, field="postal_code")
    if errors:
        raise ValidationFailed(errors)
    cleaned["region_id"] = region_id
    cleaned["postal_code"] = postal
    return cleaned


def save_address(link: EditLink, data: dict[str, Any], *, actor: str) -> Address:
    """Save the billing or shipping address the link is for, then use the link up."""
    link = ensure_usable(link)
    if link.purpose not in ADDRESS_PURPOSES:
        raise NotFound(code=LinkError.UNKNOWN)
    cleaned = clean_address(data, merchant_id=link.merchant_id)
    # Claim the link first: a concurrent save waits on its row, then finds it used (410).
    _use_up(link)
    address = current_address(link.customer_id, link.purpose)
    before: dict[str, Any] = {}
    if address is None:
        address = Address(customer_id=link.customer_id, kind=link.purpose, line1="")
        db.session.add(address)
    else:
        before = {field: getattr(address, field) for field in cleaned}
    for field, value in cleaned.items():
        setattr(address, field, value)
    db.session.flush()
    record_change(
        link.merchant_id,
        link.customer_id,
        actor=actor,
        action=f"address.{link.purpose}.updated",
        payload={"kind": link.purpose},
        changes=diff(before, cleaned),
    )
    return address


def save_card(
    link: EditLink, data: dict[str, Any], *, actor: str, vault: CardVault | None = None
) -> PaymentCard:
    """Check the card and hand only brand, last four and expiry to the vault."""
    link = ensure_usable(link)
    if link.purpose != "card":
        raise NotFound(code=LinkError.UNKNOWN)
    card = check_card(data)
    _use_up(link)
    stored = (vault or default_vault()).store(link.customer_id, card)
    record_change(
        link.merchant_id,
        link.customer_id,
        actor=actor,
        action="card.updated",
        payload={"brand": card.brand, "last4": card.last4},
        changes={
            "brand": [None, card.brand],
            "last4": [None, card.last4],
            "expiry": [None, card.expiry],
        },
    )
    return stored
