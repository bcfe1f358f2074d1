"""GET /api/openapi.json: the OpenAPI 3.1 document spectree writes from the models."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from portal.api.contract import document

bp = Blueprint("api_openapi", __name__)


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    """The API's description, for integrators and for schemathesis."""
    return jsonify(document())
