"""The frame an error page is drawn in: the console's for signed-in merchant staff, the
assist pages' for shop assistants, the shop's header under /shop/<slug>/, else the
plain one. Finding it may read the database; when that fails, the plain frame."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g, request
from sqlalchemy.exc import SQLAlchemyError

from portal.boundary import discard
from portal.core.errors import NotFound
from portal.sessions import Anonymous, current_staff
from portal.staff.accounts import get_merchant_by_slug

SHOP_PATH = re.compile(r"^/shop/([^/]+)(?:/|$)")


@dataclass(frozen=True)
class ErrorFrame:
    """What templates/errors/error.html needs: `kind` ("console", "assist", "shop" or
    "plain"), the brand to show (None: the portal's own) and the shop's slug."""

    kind: str = "plain"
    brand: str | None = None
    slug: str | None = None


PLAIN = ErrorFrame()


def error_frame(*, use_database: bool = True) -> ErrorFrame:
    """The frame for this request's error page. With `use_database` false (the database
    is down) nothing is read: the plain frame. A failed read also gives the plain frame,
    so drawing the error never becomes a second error."""
    if not use_database:
        return PLAIN
    try:
        return _frame()
    except SQLAlchemyError:
        discard()
        # Who is signed in cannot be read either: the page is drawn as for a visitor, so
        # the templates' current_user does not try again (Flask-Login keeps it here).
        g._login_user = Anonymous()
        return PLAIN


def _frame() -> ErrorFrame:
    shop = SHOP_PATH.match(request.path)
    if shop:
        try:
            merchant = get_merchant_by_slug(shop.group(1))
        except NotFound:
            return PLAIN
        return ErrorFrame("shop", brand=merchant.name, slug=merchant.slug)
    staff = current_staff()  # the session's account (merchant and partner come with it)
    if staff is None:
        return PLAIN
    if staff.can_read_console:
        return ErrorFrame("console")
    if staff.is_assistant and staff.partner is not None:
        return ErrorFrame("assist", brand=f"{staff.merchant.name} · {staff.partner.name}")
    return PLAIN
