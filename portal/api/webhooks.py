"""Webhook endpoints through the API: GET/POST /api/open/webhooks, DELETE .../<id>."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from portal.api.auth import actor, current_token, per_token, require_token
from portal.api.contract import validate
from portal.api.schemas.webhooks import Endpoint, Endpoints, NewEndpoint
from portal.staff.models import Permission
from portal.webhooks.models import WebhookEndpoint
from portal.webhooks.services import (
    get_endpoint,
    list_endpoints,
    register_endpoint,
    remove_endpoint,
)

bp = Blueprint("api_webhooks", __name__, url_prefix="/api/open/webhooks")
per_token(bp)


def endpoint_object(endpoint: WebhookEndpoint, *, secret: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": endpoint.id,
        "url": endpoint.url,
        "is_active": endpoint.is_active,
        "created_at": endpoint.created_at.isoformat() if endpoint.created_at else None,
    }
    if secret is not None:
        body["secret"] = secret
    return body


@bp.get("")
@require_token(Permission.OVERVIEW)
@validate(Endpoints)
def list_view() -> Response:
    """The merchant's endpoints (secrets are never shown again)."""
    endpoints = list_endpoints(current_token().merchant_id)
    return jsonify(data=[endpoint_object(e) for e in endpoints])


@bp.post("")
@require_token(Permission.SYSTEM)
@validate(Endpoint, status=201)
def create_view(json: NewEndpoint) -> tuple[Response, int]:
    """Register an endpoint; the answer carries its signing secret, this once."""
    url = json.url
    new = register_endpoint(current_token().merchant, url, actor=actor())
    return jsonify(endpoint_object(new.endpoint, secret=new.secret)), 201


@bp.delete("/<webhook_id>")
@require_token(Permission.SYSTEM)
@validate(None, status=204)
def delete_view(webhook_id: str) -> tuple[str, int]:
    """Remove an endpoint; deliveries to it stop."""
    endpoint = get_endpoint(current_token().merchant_id, webhook_id)
    remove_endpoint(endpoint, actor=actor())
    return "", 204
