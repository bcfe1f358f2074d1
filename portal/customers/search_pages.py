"""The customer list as its callers read it: one page with its total, or every row.

This is where a page's rows (search_scans.py), its total (search_counts.py) and its next
cursor (search_cursors.py) are put together, so the console, the export and the JSON
API page the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from portal.customers.models import Customer
from portal.customers.search_counts import ListTotal, list_total
from portal.customers.search_cursors import ListKey, decode_cursor, encode_cursor, key_of
from portal.customers.search_filters import CustomerFilters, check_paging
from portal.customers.search_scans import fetch_rows
from portal.extensions import db

# What a list row shows, plus the keyset columns: plain rows are cheaper than objects.
ROW_COLUMNS = (
    Customer.id,
    Customer.full_name,
    Customer.phone,
    Customer.unconfirmed_phone,
    Customer.email,
    Customer.category_code,
    Customer.registration_status,
    Customer.created_at,
    Customer.last_order_at,
)


@dataclass
class CustomerPage:
    """One page of a customer list, with what its links and its total line need."""

    # Customer objects, or rows of the `columns` search_customers was given.
    items: list[Any]
    page: int
    per_page: int
    total: int
    total_is_exact: bool
    has_next: bool
    next_cursor: str | None
    # True when `total` is the database's estimate (PostgreSQL substring searches).
    total_is_estimate: bool = False


def search_customers(
    merchant_id: int,
    filters: CustomerFilters,
    *,
    page: int = 1,
    per_page: int = 25,
    cursor: str | None = None,
    columns: Sequence[Any] = (Customer,),
    known_total: int | None = None,
) -> CustomerPage:
    """One page of the merchant's customers matching `filters`.

    `columns` other than the default Customer objects (e.g. ROW_COLUMNS) give plain rows;
    they must include id, created_at and last_order_at for the next page's cursor.

    With `cursor` (from a previous page's next_cursor) the page is read by keyset, which
    costs the same at any depth; otherwise `page` is an offset for shallow pages. The
    total is exact up to COUNT_CAP, beyond that `total_is_exact` is False ("10,000+");
    PostgreSQL substring searches report the planner's estimate (`total_is_estimate`).
    `known_total`: the exact total, when the caller has it already (summary.py's
    summary_total): then nothing is counted.
    """
    check_paging(page, per_page)
    after = decode_cursor(cursor) if cursor else None
    offset = 0 if after else (page - 1) * per_page
    rows = fetch_rows(merchant_id, filters, columns, limit=per_page + 1, offset=offset, after=after)
    has_next = len(rows) > per_page
    items = rows[:per_page]
    if not has_next and after is None and (items or offset == 0):
        # The page reaches the end from the start of the list: its rows are the total.
        total = ListTotal(offset + len(items), True)
    elif known_total is not None:
        total = ListTotal(known_total, True)
    else:
        seen = offset + len(items) + (1 if has_next else 0)
        total = list_total(merchant_id, filters, seen=seen)
    next_cursor = encode_cursor(key_of(items[-1], filters.order_by)) if has_next and items else None
    return CustomerPage(
        items=items,
        page=page,
        per_page=per_page,
        total=total.count,
        total_is_exact=total.exact,
        has_next=has_next,
        next_cursor=next_cursor,
        total_is_estimate=total.estimated,
    )


def _iter_rows(
    merchant_id: int, filters: CustomerFilters, columns: Sequence[Any], batch: int
) -> Iterator[Any]:
    after: ListKey | None = None
    while True:
        rows = fetch_rows(merchant_id, filters, columns, limit=batch, after=after)
        yield from rows
        if len(rows) < batch:
            return
        after = key_of(rows[-1], filters.order_by)


def iter_customers(
    merchant_id: int, filters: CustomerFilters, *, batch: int = 2000
) -> Iterator[Customer]:
    """Every matching customer in list order, read in keyset batches (flat memory)."""
    for customer in _iter_rows(merchant_id, filters, [Customer], batch):
        yield customer
        db.session.expunge(customer)


def iter_customer_rows(
    merchant_id: int, filters: CustomerFilters, columns: Sequence[Any], *, batch: int = 5000
) -> Iterator[Any]:
    """Like iter_customers but plain rows of `columns` (must include id, created_at and
    last_order_at): what exports use, as building objects would dominate their time."""
    return _iter_rows(merchant_id, filters, columns, batch)
