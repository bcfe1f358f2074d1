"""The customer search service: filters, ordering, paging, cursors and counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.core.errors import ServiceError
from portal.customers import search_counts, search_scans
from portal.customers.fields import ValidationFailed
from portal.customers.search import CustomerFilters, iter_customers, parse_filters, search_customers
from portal.extensions import db


def _at(days_ago: int) -> datetime:
    return datetime(2026, 6, 30, 12, tzinfo=UTC) - timedelta(days=days_ago)


def _names(page) -> list[str]:
    return [c.full_name for c in page.items]


@pytest.fixture
def shop(make_merchant):
    return make_merchant()


def test_parse_filters_console_names(shop):
    """The console's query names are read."""
    f = parse_filters(
        {
            "keyword": " budi ",
            "search_in": "email",
            "created_from": "2026-01-01",
            "created_to": "2026-01-31",
            "category": "Y",
            "status": "4",
            "order_by": "last_order",
        }
    )
    assert f == CustomerFilters(
        "budi", "EMAIL", date(2026, 1, 1), date(2026, 1, 31), "Y", "4", "LAST_ORDER"
    )


def test_parse_filters_document_names(shop):
    """Document 003's names (type, create_from, create_to, registration_status) work too."""
    f = parse_filters(
        {
            "keyword": "x",
            "type": "PHONE",
            "create_from": "2026-02-01",
            "create_to": "2026-02-02",
            "registration_status": "R",
        }
    )
    assert (f.search_in, f.created_from, f.created_to, f.status) == (
        "PHONE",
        date(2026, 2, 1),
        date(2026, 2, 2),
        "R",
    )


def test_parse_filters_defaults_when_empty(shop):
    """No arguments means no filter, newest first."""
    assert parse_filters({}) == CustomerFilters()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"keyword": "x" * 51}, "keyword"),
        ({"type": "SHOE"}, "search_in"),
        ({"create_from": "01-02-2026"}, "created_from"),
        ({"create_to": "2026-02-30"}, "created_to"),
        ({"create_from": "2026-03-02", "create_to": "2026-03-01"}, "created_to"),
        ({"registration_status": "9"}, "status"),
        ({"order_by": "OLDEST"}, "order_by"),
        ({"category": "no spaces"}, "category"),
    ],
)
def test_parse_filters_rejects_bad_value(shop, args, field):
    """A bad value raises ValidationFailed naming the field."""
    with pytest.raises(ValidationFailed) as info:
        parse_filters(args)
    assert field in info.value.errors


def test_search_scoped_to_merchant(shop, make_merchant, make_customer):
    """Another merchant's customers never appear."""
    make_customer(shop, first_name="Mine")
    make_customer(make_merchant(), first_name="Theirs")
    page = search_customers(shop.id, CustomerFilters())
    assert [c.first_name for c in page.items] == ["Mine"]


def test_search_hides_soft_deleted(shop, make_customer):
    """Soft-deleted customers are left out of the list."""
    make_customer(shop, first_name="Gone", deleted_at=_at(1))
    make_customer(shop, first_name="Here")
    assert [c.first_name for c in search_customers(shop.id, CustomerFilters()).items] == ["Here"]


@pytest.mark.parametrize(
    ("search_in", "keyword", "expected"),
    [
        ("NAME", "udi san", ["Budi Santoso"]),
        ("NAME", "BUDI", ["Budi Santoso"]),
        ("EMAIL", "@tokoku", ["Siti Rahma"]),
        ("ADDRESS", "Gulshan", ["Budi Santoso"]),
        ("NAME", "100%", ["100% Real"]),
        ("NAME", "_", []),
    ],
)
def test_search_substring(shop, make_customer, search_in, keyword, expected):
    """Name, email and address match a case-insensitive substring; wildcards are literal."""
    make_customer(shop, first_name="Budi", last_name="Santoso", address="Road 5, Gulshan, Dhaka")
    make_customer(shop, first_name="Siti", last_name="Rahma", email="siti@tokoku.test")
    make_customer(shop, first_name="100%", last_name="Real")
    page = search_customers(shop.id, CustomerFilters(keyword=keyword, search_in=search_in))
    assert _names(page) == expected


@pytest.mark.parametrize(
    "typed", ["01712345678", "+8801712345678", "8801712345", "0171 234", "+880 1712-34"]
)
def test_search_phone_local_and_international(shop, make_customer, typed):
    """A phone matches by the start of its number in local or international form."""
    make_customer(shop, first_name="Rina", last_name="", phone="+8801712345678")
    make_customer(shop, first_name="Other", last_name="", phone="+8801812345678")
    page = search_customers(shop.id, CustomerFilters(keyword=typed, search_in="PHONE"))
    assert _names(page) == ["Rina"]


def test_search_phone_matches_unconfirmed_number(shop, make_customer):
    """A customer still confirming a number is found by it."""
    make_customer(shop, confirmed=False, first_name="New", last_name="", phone="+8801755500000")
    page = search_customers(shop.id, CustomerFilters(keyword="01755500", search_in="PHONE"))
    assert _names(page) == ["New"]


def test_search_phone_without_digits_matches_nothing(shop, make_customer):
    """Letters in a phone search match no one (instead of everyone)."""
    make_customer(shop)
    page = search_customers(shop.id, CustomerFilters(keyword="abc", search_in="PHONE"))
    assert page.items == [] and page.total == 0


def test_search_dates_inclusive(shop, make_customer):
    """Created from / to include both whole days."""
    make_customer(
        shop,
        first_name="Before",
        last_name="",
        created_at=datetime(2026, 1, 31, 23, 59, tzinfo=UTC),
    )
    make_customer(
        shop, first_name="First", last_name="", created_at=datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
    )
    make_customer(
        shop, first_name="Last", last_name="", created_at=datetime(2026, 2, 28, 23, 59, tzinfo=UTC)
    )
    make_customer(
        shop, first_name="After", last_name="", created_at=datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    )
    f = CustomerFilters(created_from=date(2026, 2, 1), created_to=date(2026, 2, 28))
    assert _names(search_customers(shop.id, f)) == ["Last", "First"]


def test_search_category_and_status(shop, make_customer):
    """Category and registration status narrow the list together."""
    make_customer(shop, first_name="A", last_name="", category_code="Y", registration_status="4")
    make_customer(shop, first_name="B", last_name="", category_code="Y")
    make_customer(shop, first_name="C", last_name="", category_code="N", registration_status="4")
    page = search_customers(shop.id, CustomerFilters(category="Y", status="4"))
    assert _names(page) == ["A"]


def test_search_latest_customer_first(shop, make_customer):
    """The default order is newest customer first."""
    for days, name in [(3, "old"), (1, "new"), (2, "mid")]:
        make_customer(shop, first_name=name, last_name="", created_at=_at(days))
    assert _names(search_customers(shop.id, CustomerFilters())) == ["new", "mid", "old"]


def test_search_last_order_puts_no_orders_last(shop, make_customer):
    """Sort by last order: latest order first, customers without orders after them."""
    make_customer(shop, first_name="none", last_name="", created_at=_at(0))
    make_customer(shop, first_name="older", last_name="", last_order_at=_at(5))
    make_customer(shop, first_name="recent", last_name="", last_order_at=_at(1))
    page = search_customers(shop.id, CustomerFilters(order_by="LAST_ORDER"))
    assert _names(page) == ["recent", "older", "none"]


@pytest.mark.parametrize("order_by", ["LATEST_CUSTOMER", "LAST_ORDER"])
def test_search_cursor_and_offset_pages_agree(shop, make_customer, order_by):
    """Following next_cursor walks the same rows as page numbers, with no gap or repeat."""
    for i in range(23):
        make_customer(
            shop,
            first_name=f"c{i:02d}",
            last_name="",
            created_at=_at(i % 5),
            last_order_at=_at(i % 4) if i % 3 else None,
        )
    f = CustomerFilters(order_by=order_by)
    by_offset = [
        n for p in range(1, 6) for n in _names(search_customers(shop.id, f, page=p, per_page=5))
    ]
    by_cursor, cursor = [], None
    while True:
        page = search_customers(shop.id, f, per_page=5, cursor=cursor)
        by_cursor += _names(page)
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert by_cursor == by_offset
    assert sorted(by_cursor) == sorted(f"c{i:02d}" for i in range(23))


def test_search_offset_into_second_segment(shop, make_customer):
    """A page past all customers with orders starts in the ones without, correctly."""
    for i in range(3):
        make_customer(shop, first_name=f"o{i}", last_name="", last_order_at=_at(i))
    for i in range(4):
        make_customer(shop, first_name=f"n{i}", last_name="")
    f = CustomerFilters(order_by="LAST_ORDER")
    assert _names(search_customers(shop.id, f, page=3, per_page=2)) == ["n2", "n1"]


@pytest.mark.parametrize("per_page", [0, 101, -5])
def test_search_per_page_bounds(shop, per_page):
    """per_page outside 1..100 is refused, naming the field."""
    with pytest.raises(ServiceError) as info:
        search_customers(shop.id, CustomerFilters(), per_page=per_page)
    assert info.value.field == "per_page"


def test_search_bad_cursor_refused(shop):
    """A tampered cursor is a ServiceError on the cursor field, never a crash."""
    with pytest.raises(ServiceError) as info:
        search_customers(shop.id, CustomerFilters(), cursor="not-a-cursor")
    assert info.value.field == "cursor"


def test_search_exact_total_when_small(shop, make_customer):
    """Small results have an exact total and has_next tells whether more follow."""
    for _ in range(7):
        make_customer(shop)
    page = search_customers(shop.id, CustomerFilters(), per_page=5)
    assert (page.total, page.total_is_exact, page.has_next) == (7, True, True)
    last = search_customers(shop.id, CustomerFilters(), page=2, per_page=5)
    assert (len(last.items), last.total, last.has_next, last.next_cursor) == (2, 7, False, None)


def test_search_total_capped_when_large(shop, make_customer, monkeypatch):
    """Beyond the cap the total is reported as inexact (shown as "more than")."""
    monkeypatch.setattr(search_counts, "COUNT_CAP", 4)
    for _ in range(6):
        make_customer(shop)
    page = search_customers(shop.id, CustomerFilters(), per_page=2)
    assert (page.total, page.total_is_exact) == (4, False)


def test_iter_customers_yields_all_in_batches(shop, make_customer):
    """iter_customers reads every match in list order, across keyset batches."""
    for i in range(7):
        make_customer(shop, first_name=f"i{i}", last_name="", created_at=_at(i))
    names = [c.full_name for c in iter_customers(shop.id, CustomerFilters(), batch=3)]
    assert names == [f"i{i}" for i in range(7)]
    db.session.rollback()


@pytest.mark.parametrize("window", [1, 3, 1000])
@pytest.mark.parametrize("order_by", ["LATEST_CUSTOMER", "LAST_ORDER"])
def test_search_keyword_pages_agree_whatever_the_scan_window(
    shop, make_customer, monkeypatch, window, order_by
):
    """Keyword pages are the same whether the newest-rows window suffices or a scan runs."""
    monkeypatch.setattr(search_scans, "SCAN_WINDOW", window)
    for i in range(14):
        make_customer(
            shop,
            first_name=("Budi" if i % 3 else "Siti") + f"{i:02d}",
            last_name="",
            created_at=_at(i % 4),
            last_order_at=_at(i % 5) if i % 2 else None,
        )
    f = CustomerFilters(keyword="budi", order_by=order_by)
    by_offset = [
        n for p in range(1, 5) for n in _names(search_customers(shop.id, f, page=p, per_page=3))
    ]
    by_cursor, cursor = [], None
    while True:
        page = search_customers(shop.id, f, per_page=3, cursor=cursor)
        by_cursor += _names(page)
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert by_cursor == by_offset
    assert sorted(by_cursor) == sorted(f"Budi{i:02d}" for i in range(14) if i % 3)
    first = search_customers(shop.id, f, per_page=3)
    assert first.total == 9 or first.total_is_estimate  # PostgreSQL estimates


@pytest.mark.postgres_only
def test_search_substring_total_is_estimate_on_postgres(shop, make_customer):
    """A PostgreSQL substring search with more pages labels its total as an estimate."""
    for _ in range(4):
        make_customer(shop, first_name="Budi")
    page = search_customers(shop.id, CustomerFilters(keyword="budi"), per_page=2)
    assert page.has_next and page.total_is_estimate and not page.total_is_exact
    assert page.total >= 3
    small = search_customers(shop.id, CustomerFilters(keyword="budi"), per_page=10)
    assert (small.total, small.total_is_exact, small.total_is_estimate) == (4, True, False)
