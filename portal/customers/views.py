"""Customer-facing pages under /shop/<slug>/."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/shop/<slug>")
