"""Every URL of the merchant console, in one place: importing the page modules registers
their routes on the blueprint, which create_app registers on the app."""

from __future__ import annotations

from portal.merchants import category_views, customer_list_views, customer_views, report_views
from portal.merchants.blueprint import bp

PAGE_MODULES = (category_views, customer_list_views, customer_views, report_views)

__all__ = ["PAGE_MODULES", "bp"]
