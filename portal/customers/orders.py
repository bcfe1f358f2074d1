"""Order histories of one customer (document 003), shared by the console and the API."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.core.dates import DateError
from portal.core.error_codes import CustomerError
from portal.core.errors import ServiceError
from portal.customers.models import Order, OrderItem
from portal.customers.services import get_customer
from portal.extensions import db

MAX_PER_PAGE = 100


@dataclass
class OrderHistory:
    """One page of a customer's orders plus document 003's totals over the whole range."""

    orders: list[Order]
    total_orders: int
    total_items: int
    page: int
    per_page: int
    total_pages: int

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _check_paging(page: int, per_page: int, start: date | None, end: date | None) -> None:
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ServiceError(CustomerError.ORDERS_PER_PAGE_INVALID, field="per_page")
    if page < 1:
        raise ServiceError(CustomerError.ORDERS_PAGE_INVALID, field="page")
    if start and end and start > end:
        raise ServiceError(DateError.DATE_RANGE_INVALID, field="start_date")


def order_history(
    merchant_id: int,
    customer_id: int,
    *,
    start_date: date | None = None,
    end_date: date | None = None,
    page: int = 1,
    per_page: int = 10,
    include_deleted: bool = False,
) -> OrderHistory:
    """A page of the customer's orders, newest first, with the totals for the date range.

    The customer is looked up within `merchant_id`, so another merchant's customer is
    NotFound. Dates are inclusive whole days (UTC). Items are loaded in one extra query
    (selectin), never one query per order.
    """
    _check_paging(page, per_page, start_date, end_date)
    customer = get_customer(merchant_id, customer_id, include_deleted=include_deleted)
    conditions = [Order.merchant_id == merchant_id, Order.customer_id == customer.id]
    if start_date:
        conditions.append(Order.ordered_at >= _day_start(start_date))
    if end_date:
        conditions.append(Order.ordered_at < _day_start(end_date + timedelta(days=1)))
    total_orders = db.session.scalar(select(func.count(Order.id)).where(*conditions)) or 0
    total_items = (
        db.session.scalar(
            select(func.coalesce(func.sum(OrderItem.quantity), 0))
            .join(Order, OrderItem.order_id == Order.id)
            .where(*conditions)
        )
        or 0
    )
    total_pages = max(1, math.ceil(total_orders / per_page))
    orders = list(
        db.session.scalars(
            select(Order)
            .where(*conditions)
            .order_by(Order.ordered_at.desc(), Order.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return OrderHistory(
        orders=orders,
        total_orders=int(total_orders),
        total_items=int(total_items),
        page=page,
        per_page=per_page,
        total_pages=total_pages,
    )
