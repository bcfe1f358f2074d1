"""order_history: paging, date range, totals, tenant scoping and no N+1."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.core.errors import NotFound, ServiceError
from portal.customers.orders import order_history
from portal.extensions import db
from tests.merchants.page_helpers import make_order


def _day(d: int, month: int = 3) -> datetime:
    return datetime(2021, month, d, 13, 5, tzinfo=UTC)


def test_order_history_pages_newest_first_with_totals(app, make_merchant, make_customer):
    """Orders come newest first, per_page at a time, with totals over all of them."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    for n in range(1, 6):
        make_order(customer, _day(n), items=(("A", 2), ("B", 1)), po_number=n)
    first = order_history(merchant.id, customer.id, per_page=2)
    last = order_history(merchant.id, customer.id, per_page=2, page=3)
    assert [o.po_number for o in first.orders] == [5, 4]
    assert [o.po_number for o in last.orders] == [1]
    assert (first.total_orders, first.total_items, first.total_pages) == (5, 15, 3)
    assert first.has_next and not last.has_next


def test_order_history_date_range_is_inclusive(app, make_merchant, make_customer):
    """start_date and end_date are whole days, both included."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    for n in (1, 2, 3, 4):
        make_order(customer, _day(n), po_number=n)
    history = order_history(
        merchant.id, customer.id, start_date=date(2021, 3, 2), end_date=date(2021, 3, 3)
    )
    assert [o.po_number for o in history.orders] == [3, 2]
    assert history.total_orders == 2


def test_order_history_of_other_merchants_customer_is_not_found(app, make_merchant, make_customer):
    """Another merchant's customer id answers NotFound."""
    other = make_customer(make_merchant())
    with pytest.raises(NotFound):
        order_history(make_merchant().id, other.id)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"page": 0}, "page"),
        ({"start_date": date(2021, 3, 5), "end_date": date(2021, 3, 1)}, "start_date"),
    ],
)
def test_order_history_refuses_bad_paging(app, make_merchant, make_customer, kwargs, field):
    """Bad paging or an inverted date range is refused naming the field."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    with pytest.raises(ServiceError) as err:
        order_history(merchant.id, customer.id, **kwargs)
    assert err.value.field == field


def test_order_history_loads_items_without_n_plus_one(
    app, make_merchant, make_customer, query_counter
):
    """Reading items of every order on a page costs a fixed number of queries."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    for n in range(1, 11):
        make_order(customer, _day(n), items=(("A", 1), ("B", 1)), po_number=n)
    db.session.expire_all()
    with query_counter() as counter:
        history = order_history(merchant.id, customer.id, per_page=10)
        names = [item.product_name for order in history.orders for item in order.items]
    assert len(names) == 20
    item_queries = [s for s in counter.statements if "order_items.order_id IN" in s]
    assert len(item_queries) == 1
    assert counter.count <= 8
