"""Console pages for webhook endpoints and deliveries."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/merchant/webhooks")
