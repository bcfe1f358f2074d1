"""Merchant console pages under /merchant/."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("merchants", __name__, url_prefix="/merchant")
