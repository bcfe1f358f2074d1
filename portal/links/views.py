"""Short-lived edit links under /l/<code>."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("links", __name__)
