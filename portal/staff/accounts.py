"""Creating merchants, staff users and assistants (CLI and console share these)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from portal.core.audit import record_audit
from portal.core.errors import Conflict, NotFound, ServiceError
from portal.customers.fields import clean_email
from portal.extensions import db
from portal.merchants.models import Merchant, Partner
from portal.staff.models import Role, StaffUser

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    """scrypt, werkzeug's default: a slow, salted hash."""
    return generate_password_hash(password, method="scrypt")


def get_merchant_by_slug(slug: str) -> Merchant:
    merchant = db.session.scalar(select(Merchant).where(Merchant.slug == slug))
    if merchant is None:
        raise NotFound("Unknown merchant")
    return merchant


def create_merchant(
    *, slug: str, name: str, country_code: str = "BD", email: str | None = None
) -> Merchant:
    if not SLUG_RE.match(slug or ""):
        raise ServiceError(
            "slug_invalid", "Use lowercase letters, digits and dashes for the slug.", field="slug"
        )
    if db.session.scalar(select(Merchant.id).where(Merchant.slug == slug)):
        raise Conflict("slug_taken", "That slug is taken.", field="slug")
    merchant = Merchant(
        slug=slug,
        name=name.strip(),
        country_code=country_code.upper(),
        email=clean_email(email),
    )
    db.session.add(merchant)
    db.session.flush()
    return merchant


def create_staff(
    merchant: Merchant,
    *,
    email: str,
    password: str | None,
    role: str,
    actor: str,
    permission: str | None = None,
    partner: Partner | None = None,
    name: str | None = None,
    password_hash: str | None = None,
) -> StaffUser:
    """A staff account; `password_hash` instead of `password` when only the hash was kept
    (a confirmed "Create your shop" sign-up, portal/staff/registration.py)."""
    address = clean_email(email)
    if not address:
        raise ServiceError("email_required", "Enter an email address.", field="email")
    if password_hash is None and len(password or "") < MIN_PASSWORD:
        raise ServiceError(
            "password_short",
            f"Use a password of at least {MIN_PASSWORD} characters.",
            field="password",
        )
    if role == Role.ASSISTANT and partner is None:
        raise ServiceError("partner_required", "An assistant needs a partner.", field="partner")
    taken = db.session.scalar(
        select(StaffUser.id).where(func.lower(StaffUser.email) == address.lower())
    )
    if taken:
        raise Conflict("email_taken", "That email already has an account.", field="email")
    user = StaffUser(
        merchant_id=merchant.id,
        email=address.lower(),
        name=name,
        password_hash=password_hash or hash_password(password or ""),
        role=role,
        permission=permission,
        partner_id=partner.id if partner else None,
    )
    db.session.add(user)
    db.session.flush()
    record_audit(
        merchant_id=merchant.id, actor=actor, action="staff.created", note=f"{address} {role}"
    )
    return user


def get_or_create_partner(merchant: Merchant, name: str) -> Partner:
    partner = db.session.scalar(
        select(Partner).where(Partner.merchant_id == merchant.id, Partner.name == name)
    )
    if partner is None:
        partner = Partner(merchant_id=merchant.id, name=name)
        db.session.add(partner)
        db.session.flush()
    return partner


def find_partner(merchant: Merchant, name: str) -> Partner:
    partner = db.session.scalar(
        select(Partner).where(Partner.merchant_id == merchant.id, Partner.name == name)
    )
    if partner is None:
        raise NotFound(f"Unknown partner {name!r}")
    return partner


def set_staff_language(user: StaffUser, code: str) -> None:
    """Keep a staff member's console language on their account (a code the caller checked
    against the supported list): the next sign-in on any device opens in it."""
    if user.language != code:
        user.language = code
        db.session.flush()
