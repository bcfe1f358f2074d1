"""Console pages for API tokens, webhook endpoints and their deliveries."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/merchant/integrations")
