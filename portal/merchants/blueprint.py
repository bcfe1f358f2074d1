"""The merchant console's blueprint: every /merchant/ page module attaches its routes here.

Imports run one way: the page modules import `bp` from this module, and
portal/merchants/routes.py imports the page modules (registering their routes) and hands
`bp` to create_app. Nothing imports routes.py but the app factory.
"""

from __future__ import annotations

from flask import Blueprint

from portal.staff.brand import console_brand

bp = Blueprint("merchants", __name__, url_prefix="/merchant")
bp.context_processor(console_brand)
