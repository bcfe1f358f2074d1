"""Retailer assistant pages under /assist/."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assist", __name__, url_prefix="/assist")
