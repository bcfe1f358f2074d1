"""Helpers for the customer-page, category and report tests: sign-in and orders."""

from __future__ import annotations

import itertools
from datetime import datetime

from flask.testing import FlaskClient

from portal.customers.models import Customer, Order, OrderItem
from portal.extensions import db
from portal.staff.models import StaffUser

# PO numbers are unique per merchant (uq_orders_merchant_po): orders made without one
# take the next of these.
_po_numbers = itertools.count(90_000)


def sign_in(client: FlaskClient, user: StaffUser) -> FlaskClient:
    """Sign a staff user in without the login page."""
    with client.session_transaction() as session:
        session["_user_id"] = f"staff:{user.id}:{user.session_version}"
        session["_fresh"] = True
    return client


def make_order(
    customer: Customer,
    ordered_at: datetime,
    *,
    items: tuple[tuple[str, int], ...] = (("Sepatu", 1),),
    po_number: int | None = None,
    total_price: int = 150000,
) -> Order:
    """An order with its items, flushed."""
    order = Order(
        merchant_id=customer.merchant_id,
        customer_id=customer.id,
        po_number=next(_po_numbers) if po_number is None else po_number,
        ordered_at=ordered_at,
        total_price=total_price,
        items_count=len(items),
    )
    order.items = [OrderItem(product_name=name, quantity=qty) for name, qty in items]
    db.session.add(order)
    db.session.flush()
    return order
