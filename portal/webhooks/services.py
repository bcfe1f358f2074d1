"""Webhook endpoints: register (the signing secret is shown once), list, remove."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from portal.core.audit import record_audit
from portal.core.errors import NotFound, ServiceError
from portal.core.inputs import parse_id
from portal.extensions import db
from portal.merchants.models import Merchant, Partner
from portal.staff.models import ApiToken
from portal.webhooks import egress
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint

SECRET_PREFIX = "whsec_"  # noqa: S105 - a public marker, not a secret
MAX_ENDPOINTS = 10
URL_INVALID = "Enter a full http:// or https:// address."
URL_PRIVATE = "Use a public address on port 80 or 443; this one points inside a private network."
TOO_MANY = "A merchant can register at most 10 endpoints."
NOT_FOUND = "Unable to find webhook endpoint"
# The event types a receiver can get (document 001's `verification`, the customer's, an
# order recorded through document 003's POST /api/open/orders, merges, whose details
# name the record merged away so a receiver can repoint its copy, and marketing consent,
# which a CRM or mailing tool must follow).
EVENT_TYPES = (
    "verification",
    "customer.created",
    "customer.updated",
    "customer.status_changed",
    "customer.deleted",
    "order.created",
    "customer.merged",
    "customer.merge_undone",
    "customer.consent_changed",
)


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str


def clean_url(raw: object) -> str:
    """A webhook URL: http(s), a host, at most 500 characters, not the server's own network.

    The host is checked again, resolved, when each delivery is sent (egress.py); here a
    literal private address in any spelling, a one-label or private name, and a port
    other than 80 or 443 are refused at once. WEBHOOKS_ALLOW_PRIVATE lifts those rules.
    """
    url = str(raw or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise ServiceError("url_invalid", URL_INVALID, field="url")
    if parts.username or parts.password or any(ch.isspace() for ch in url):
        raise ServiceError("url_invalid", URL_INVALID, field="url")
    try:
        egress.parse_target(
            url, allow_private=bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE"))
        )
    except egress.RefusedTarget:
        raise ServiceError("url_private", URL_PRIVATE, field="url") from None
    return url


def list_endpoints(merchant_id: int) -> list[WebhookEndpoint]:
    """The merchant's active endpoints, newest first."""
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.merchant_id == merchant_id, WebhookEndpoint.is_active)
            .order_by(WebhookEndpoint.id.desc())
        )
    )


def get_endpoint(merchant_id: int, endpoint_id: int | str) -> WebhookEndpoint:
    """One active endpoint of this merchant, else NotFound (other merchants' look the same)."""
    number = parse_id(endpoint_id)
    if number is None:
        raise NotFound(NOT_FOUND)
    endpoint = db.session.get(WebhookEndpoint, number)
    if endpoint is None or endpoint.merchant_id != merchant_id or not endpoint.is_active:
        raise NotFound(NOT_FOUND)
    return endpoint


def register_endpoint(merchant: Merchant, url: object, *, actor: str) -> NewEndpoint:
    """Add an endpoint with a fresh signing secret; the caller shows the secret once."""
    clean = clean_url(url)
    if len(list_endpoints(merchant.id)) >= MAX_ENDPOINTS:
        raise ServiceError("too_many", TOO_MANY, field="url", status=409)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(merchant_id=merchant.id, url=clean, secret=secret, created_by=actor)
    db.session.add(endpoint)
    db.session.flush()
    record_audit(merchant_id=merchant.id, actor=actor, action="webhook.created", note=clean)
    return NewEndpoint(endpoint=endpoint, secret=secret)


def remove_endpoint(endpoint: WebhookEndpoint, *, actor: str) -> None:
    """Stop delivering to an endpoint; its delivery history stays for the record."""
    endpoint.is_active = False
    db.session.flush()
    record_audit(
        merchant_id=endpoint.merchant_id, actor=actor, action="webhook.removed", note=endpoint.url
    )


def recent_deliveries(merchant_id: int, *, limit: int = 50) -> list[WebhookDelivery]:
    """The latest delivery attempts to any of the merchant's endpoints."""
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookEndpoint.merchant_id == merchant_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def partners_of(merchant_id: int) -> list[Partner]:
    """The merchant's partners, for binding a token to one (document 000)."""
    return list(
        db.session.scalars(
            select(Partner).where(Partner.merchant_id == merchant_id).order_by(Partner.name)
        )
    )


def get_token(merchant_id: int, token_id: int) -> ApiToken:
    """One API token of this merchant, else NotFound."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id <= 2**31 - 1 else None
    if token is None or token.merchant_id != merchant_id:
        raise NotFound("Unable to find token")
    return token
