"""The list's capped count is remembered for a few seconds: per merchant, never stale here.

portal/customers/count_cache.py keeps only "more than the cap" answers; these tests pin
that the memory is per merchant and filters, that changes made in this process show at
once, and that a change it cannot see (another process) shows after the TTL.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Select, select, text, update

from portal.core.time import utcnow
from portal.customers import search_counts
from portal.customers.count_cache import capped_counts
from portal.customers.models import Customer
from portal.customers.search import CustomerFilters, search_customers
from portal.customers.status import apply_action
from portal.extensions import db
from tests.merchants.page_helpers import sign_in

CAP = 3


@pytest.fixture(autouse=True)
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_counts, "COUNT_CAP", CAP)


@pytest.fixture
def shop(make_merchant, make_customer):
    shop = make_merchant()
    for _ in range(CAP + 2):
        make_customer(shop, category_code="N")
    return shop


def _total(merchant_id: int, filters: CustomerFilters | None = None) -> tuple[int, bool]:
    page = search_customers(merchant_id, filters or CustomerFilters(), per_page=1)
    return page.total, page.total_is_exact


def select_customers(merchant_id: int) -> Select[tuple[Customer]]:
    return select(Customer).where(Customer.merchant_id == merchant_id).order_by(Customer.id)


def _count_queries(statements: list[str]) -> int:
    return sum(1 for sql in statements if re.search(r"count\(\*\)", sql, re.IGNORECASE))


def test_capped_count_runs_once_then_is_remembered(shop, query_counter):
    """The second identical request skips the count; the answer stays "more than"."""
    with query_counter() as first:
        assert _total(shop.id) == (CAP, False)
    with query_counter() as second:
        assert _total(shop.id) == (CAP, False)
    assert _count_queries(first.statements) == 1
    assert _count_queries(second.statements) == 0


def test_memory_is_per_merchant_and_filters(shop, make_merchant, make_customer):
    """Another merchant (same filters) and other filters (same merchant) count for real."""
    assert _total(shop.id) == (CAP, False)
    small = make_merchant()
    for _ in range(CAP):
        make_customer(small)
    assert _total(small.id) == (CAP, True)
    assert _total(shop.id, CustomerFilters(category="Y")) == (0, True)


def test_sort_order_shares_the_answer(shop, query_counter):
    """The order does not change a count, so both sort orders use one answer."""
    assert _total(shop.id) == (CAP, False)
    with query_counter() as other_order:
        assert _total(shop.id, CustomerFilters(order_by="LAST_ORDER")) == (CAP, False)
    assert _count_queries(other_order.statements) == 0


def test_deleting_customers_shows_at_once(shop):
    """A soft delete in this process forgets the merchant's answers: exact again."""
    assert _total(shop.id) == (CAP, False)
    customers = db.session.scalars(select_customers(shop.id)).all()
    for customer in customers[:2]:
        apply_action(customer, "delete", actor="test@example.com")
    assert _total(shop.id) == (CAP, True)


def test_bulk_update_forgets_every_answer(shop):
    """An UPDATE statement on customers (merchant unknown) forgets everything."""
    assert _total(shop.id) == (CAP, False)
    first_two = select(Customer.id).where(Customer.merchant_id == shop.id).limit(2)
    db.session.execute(
        update(Customer)
        .where(Customer.id.in_(first_two.scalar_subquery()))
        .values(deleted_at=utcnow())
    )
    assert _total(shop.id) == (CAP, True)


def test_change_from_another_process_shows_after_the_ttl(shop):
    """What this process cannot see stays "more than" for at most the TTL."""
    memory = capped_counts()
    now = [1000.0]
    memory.clock = lambda: now[0]
    assert _total(shop.id) == (CAP, False)
    # Plain SQL on the connection: no ORM event, like a write from another worker.
    ids = db.session.scalars(select_customers(shop.id).limit(2)).all()
    db.session.expunge_all()
    db.session.connection().execute(
        text("UPDATE customers SET deleted_at = :at WHERE id IN (:a, :b)"),
        {"at": utcnow(), "a": ids[0].id, "b": ids[1].id},
    )
    assert _total(shop.id) == (CAP, False)
    now[0] += memory.ttl
    assert _total(shop.id) == (CAP, True)


def test_ttl_zero_turns_the_memory_off(shop, app, query_counter):
    """CUSTOMER_COUNT_CACHE_SECONDS=0 counts on every request."""
    app.extensions.pop("capped_customer_counts", None)
    app.config["CUSTOMER_COUNT_CACHE_SECONDS"] = 0
    _total(shop.id)
    with query_counter() as again:
        assert _total(shop.id) == (CAP, False)
    assert _count_queries(again.statements) == 1


def test_list_page_counts_exactly_after_a_delete(client, shop, make_staff, make_customer):
    """Through the page: "More than 12", a delete on the console, then "11 customers"."""
    search_counts.COUNT_CAP = 12  # the small_cap fixture restores it
    for _ in range(14 - (CAP + 2)):  # 14 customers, 10 a page
        make_customer(shop)
    user = make_staff(shop)
    sign_in(client, user)
    html = client.get("/merchant/customers?per_page=10").get_data(as_text=True)
    assert "More than 12 customers" in html
    customers = db.session.scalars(select_customers(shop.id)).all()
    for customer in customers[:3]:
        apply_action(customer, "delete", actor=user.email)
    db.session.commit()
    html = client.get("/merchant/customers?per_page=10").get_data(as_text=True)
    assert "11 customers" in html and "More than" not in html


@pytest.mark.postgres_only
def test_substring_estimate_is_kept_and_forgotten_on_change(shop, make_customer, query_counter):
    """PostgreSQL's estimate for a substring search is planned once, then kept while
    paging; a change to the merchant's customers plans it afresh."""
    filters = CustomerFilters(keyword="Customer")
    with query_counter() as first:
        page = search_customers(shop.id, filters, per_page=1)
    assert page.total_is_estimate
    with query_counter() as second:
        again = search_customers(shop.id, filters, per_page=1, page=2)
    assert again.total_is_estimate and again.total >= page.total  # never below rows seen
    explains = [s for s in first.statements + second.statements if s.startswith("EXPLAIN")]
    assert len(explains) == 1
    make_customer(shop, category_code="N")
    with query_counter() as third:
        search_customers(shop.id, filters, per_page=1)
    assert any(s.startswith("EXPLAIN") for s in third.statements)
