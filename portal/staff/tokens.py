"""API tokens: created once in plain text, stored as a keyed hash with a visible prefix."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from portal.core.audit import record_audit
from portal.core.errors import ServiceError
from portal.core.hashing import keyed_hash, random_token, same_hash
from portal.core.time import as_utc, utcnow
from portal.extensions import db
from portal.merchants.models import Merchant, Partner
from portal.staff.models import ApiToken, Permission

TOKEN_PREFIX = "cp_"  # noqa: S105 - a public marker, not a secret
LAST_USED_RESOLUTION_SECONDS = 60
HEADER_FORMS = (
    re.compile(r"^Bearer\s+(?P<token>\S+)$", re.IGNORECASE),
    re.compile(r'^Token\s+token="?(?P<token>[^"\s]+)"?$', re.IGNORECASE),
)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    plain: str


def hash_token(plain: str) -> str:
    return keyed_hash(plain, purpose="api-token")


def create_token(
    merchant: Merchant,
    *,
    permission: str,
    actor: str,
    partner: Partner | None = None,
    name: str | None = None,
) -> NewToken:
    """Make a token; the plain value is returned once and never stored."""
    if permission not in (Permission.OVERVIEW, Permission.SYSTEM):
        raise ServiceError(
            "permission_invalid", "Permission must be OVERVIEW or SYSTEM.", field="permission"
        )
    if partner is not None and partner.merchant_id != merchant.id:
        raise ServiceError("partner_invalid", "Unknown partner.", field="partner", status=404)
    plain = TOKEN_PREFIX + random_token(30)
    token = ApiToken(
        merchant_id=merchant.id,
        partner_id=partner.id if partner else None,
        name=name,
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_token(plain),
        permission=str(permission),
        created_by=actor,
    )
    db.session.add(token)
    db.session.flush()
    record_audit(
        merchant_id=merchant.id,
        actor=actor,
        action="token.created",
        note=f"{token.prefix}… {permission}" + (f" partner={partner.name}" if partner else ""),
    )
    return NewToken(token=token, plain=plain)


def token_from_header(header: str | None) -> str | None:
    """Read `Bearer <t>` or document 004's `Token token=<t>`."""
    if not header:
        return None
    for form in HEADER_FORMS:
        match = form.match(header.strip())
        if match:
            return match.group("token")
    return None


def authenticate(plain: str | None) -> ApiToken | None:
    """The live token matching `plain`, with last_used_at touched; None otherwise.

    last_used_at moves at most once a minute: written on every call, it made every
    request on one token queue on that row (the request boundary commits it).
    """
    if not plain:
        return None
    digest = hash_token(plain)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or token.revoked_at is not None or not same_hash(digest, token.token_hash):
        return None
    now = utcnow()
    last = as_utc(token.last_used_at)
    if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        token.last_used_at = now
    return token


def revoke_token(token: ApiToken, *, actor: str) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_audit(
            merchant_id=token.merchant_id,
            actor=actor,
            action="token.revoked",
            note=f"{token.prefix}…",
        )


def list_tokens(merchant_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.merchant_id == merchant_id)
            .order_by(ApiToken.created_at.desc())
        )
    )
