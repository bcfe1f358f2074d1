"""The signed-in customer's profile pages under /shop/<slug>/profile."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.sessions import current_customer
from portal.staff.accounts import get_merchant_by_slug

bp = Blueprint("profile", __name__, url_prefix="/shop/<slug>")


@bp.get("/profile")
def show(slug: str) -> Response | str:
    merchant = get_merchant_by_slug(slug)
    customer = current_customer(merchant.id)
    if customer is None:
        return redirect(url_for("customers.signin", slug=slug))
    return render_template("customers/profile.html", merchant=merchant, customer=customer)
