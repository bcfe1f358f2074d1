"""Merchant console pages under /merchant/: one blueprint, one module per page group."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("merchants", __name__, url_prefix="/merchant")

# The page modules attach their routes to `bp`; importing them registers the routes.
from portal.merchants import (  # noqa: E402
    category_views,  # noqa: F401
    customer_list_views,  # noqa: F401
    customer_views,  # noqa: F401
    report_views,  # noqa: F401
)
