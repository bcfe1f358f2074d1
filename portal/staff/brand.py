"""The console is branded with the store it belongs to, not "Customer portal".

Console blueprints register `console_brand` as their context processor, so every page
they render (error pages included) gets `brand_name`. It reads only the signed-in staff
member that Flask-Login already loaded; when the database is down it gives None and the
layout falls back to the portal's own name.
"""

from __future__ import annotations

from flask import url_for

from portal.sessions import current_staff_unless_down


def console_brand() -> dict[str, str | None]:
    """`brand_name` (the signed-in staff member's store) and `brand_url` (their customer
    list), or None for both."""
    staff = current_staff_unless_down()
    if staff is None or not staff.can_read_console:
        return {"brand_name": None, "brand_url": None}
    return {"brand_name": staff.merchant.name, "brand_url": url_for("merchants.customers")}
