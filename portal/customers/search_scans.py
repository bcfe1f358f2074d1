"""How a page of the customer list is read fast at a million rows.

Pages are read in index order and stop early; a deep page starts after a keyset cursor
(search_cursors.py) instead of skipping rows. LAST_ORDER is read as two segments so
that both backends use the (merchant_id, last_order_at, id) index. A SQLite substring
search, which no index answers in list order, first tries the newest rows and only then
asks the FTS5 trigram index (text_index.py) or scans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, tuple_
from sqlalchemy.orm import lazyload

from portal.customers.models import Customer
from portal.customers.search_conditions import (
    filter_conditions,
    keyword_condition,
    searched_column,
    uses_scan,
)
from portal.customers.search_counts import count_upto
from portal.customers.search_cursors import ListKey
from portal.customers.search_filters import CustomerFilters
from portal.customers.text_index import matching_ids
from portal.customers.trigram_pieces import samples
from portal.extensions import db

SCAN_WINDOW = 3000

# One part of the list in its order: (WHERE terms, ORDER BY terms).
Segment = tuple[list[ColumnElement[bool]], list[Any]]


def keyset_segments(
    conditions: list[ColumnElement[bool]], order_by: str, after: ListKey | None
) -> list[Segment]:
    """(where, order) per segment still to read, starting after the cursor.

    LATEST_CUSTOMER is one segment, (created_at, id) downwards. LAST_ORDER is customers
    with orders by (last_order_at, id) downwards, then those without by id downwards, so
    that both backends use the (merchant_id, last_order_at, id) index.
    """
    if order_by != "LAST_ORDER":
        where = list(conditions)
        if after is not None:
            where.append(
                tuple_(Customer.created_at, Customer.id)
                < tuple_(literal(after.at, Customer.created_at.type), literal(after.id))
            )
        return [(where, [Customer.created_at.desc(), Customer.id.desc()])]
    with_orders = [*conditions, Customer.last_order_at.is_not(None)]
    without = [*conditions, Customer.last_order_at.is_(None)]
    result = []
    if after is None or after.segment == 0:
        if after is not None:
            with_orders.append(
                tuple_(Customer.last_order_at, Customer.id)
                < tuple_(literal(after.at, Customer.last_order_at.type), literal(after.id))
            )
        result.append((with_orders, [Customer.last_order_at.desc(), Customer.id.desc()]))
    if after is not None and after.segment == 1:
        without.append(Customer.id < after.id)
    result.append((without, [Customer.id.desc()]))
    return result


@dataclass(frozen=True)
class Scan:
    """How to read a SQLite substring search: first the newest SCAN_WINDOW rows in list
    order (enough when the term is common), else the rows the FTS5 trigram index finds
    (text_index.py), or a full scan when the term is too short for it; both sorted
    afterwards."""

    matching: ColumnElement[bool]
    unindexed: list[ColumnElement[bool]]
    text_ids: Select[tuple[int]] | None = None
    # False when the merchant's sample holds no match: the window would be read in vain.
    window: bool = True

    @property
    def rest(self) -> list[ColumnElement[bool]]:
        """Conditions that find every match without walking the list's index."""
        found = [*self.unindexed, self.matching]
        if self.text_ids is not None:
            found.append(Customer.id.in_(self.text_ids))
        return found


def read_rows(
    columns: Sequence[Any],
    where: list[ColumnElement[bool]],
    order: list[Any],
    *,
    limit: int,
    offset: int = 0,
    scan: Scan | None = None,
) -> list[Any]:
    """Up to `limit` rows of one segment, as Customer objects or plain rows of `columns`."""

    def run(conditions: list[ColumnElement[bool]]) -> list[Any]:
        stmt: Select[Any] = (
            select(*columns).where(*conditions).order_by(*order).limit(limit).offset(offset)
        )
        if columns and columns[0] is Customer:
            stmt = stmt.options(lazyload(Customer.merchant), lazyload(Customer.region))
            return list(db.session.execute(stmt).scalars().all())
        # Plain columns skip the ORM's per-row loading (exports read millions of rows);
        # the flush keeps autoflush's promise that pending changes are seen.
        db.session.flush()
        return list(db.session.connection().execute(stmt).all())

    if scan is None:
        return run(where)
    if not scan.window:
        return run(scan.rest)
    window = select(Customer.id).where(*where).order_by(*order).limit(SCAN_WINDOW)
    rows = run([Customer.id.in_(window), scan.matching])
    if len(rows) >= limit:
        return rows
    return run(scan.rest)


def _substring_scans(
    merchant_id: int, filters: CustomerFilters, after: ListKey | None
) -> list[Scan | None]:
    """One Scan per keyset segment of a SQLite substring search."""
    matching = keyword_condition(merchant_id, filters)
    assert matching is not None and filters.keyword
    unindexed = filter_conditions(merchant_id, filters, keyword=False, unindexed=True)
    column = searched_column(filters)
    sample = samples()
    text_ids = matching_ids(
        column.key, filters.keyword, sample.rare_pieces(merchant_id, column, filters.keyword)
    )
    window = sample.share(merchant_id, column, filters.keyword) != 0.0
    return [
        Scan(matching, where, text_ids, window)
        for where, _ in keyset_segments(unindexed, filters.order_by, after)
    ]


def fetch_rows(
    merchant_id: int,
    filters: CustomerFilters,
    columns: Sequence[Any],
    *,
    limit: int,
    offset: int = 0,
    after: ListKey | None = None,
) -> list[Any]:
    """Up to `limit` rows in list order, skipping `offset` rows or starting after a key."""
    scanning = uses_scan(filters)
    conditions = filter_conditions(merchant_id, filters, keyword=not scanning)
    segments = keyset_segments(conditions, filters.order_by, after)
    scans: list[Scan | None] = [None] * len(segments)
    if scanning:
        scans = _substring_scans(merchant_id, filters, after)
    rows: list[Any] = []
    for (where, order), scan in zip(segments, scans, strict=True):
        if offset:
            # A later segment only starts once this one's rows are used up: count them.
            got = read_rows(
                columns, where, order, limit=limit - len(rows), offset=offset, scan=scan
            )
            if not got:
                counted = scan.rest if scan else where
                offset = max(0, offset - count_upto(counted, offset))
                continue
            offset = 0
        else:
            got = read_rows(columns, where, order, limit=limit - len(rows), scan=scan)
        rows.extend(got)
        if len(rows) >= limit:
            break
    return rows
