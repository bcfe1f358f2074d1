"""How many customers a list holds, without ever counting a big merchant to the end.

A count never reads more than COUNT_CAP + 1 rows (SCAN_COUNT_CAP + 1 for SQLite
substring searches, which scan), and is reported as inexact beyond that; that "more
than" answer is then remembered for a few seconds per merchant and filters
(count_cache.py), exact totals never are. PostgreSQL substring searches report the
planner's estimate instead, as counting trigram matches costs as much as the page.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, literal, select

from portal.customers.count_cache import capped_counts
from portal.customers.models import Customer
from portal.customers.search_conditions import filter_conditions, uses_scan, uses_trigram
from portal.customers.search_filters import ORDER_BY, CustomerFilters
from portal.extensions import db

COUNT_CAP = 10_000
SCAN_COUNT_CAP = 1_000


class ListTotal(NamedTuple):
    """A list's total as a page reports it."""

    count: int
    exact: bool
    # True when `count` is the database's estimate (PostgreSQL substring searches).
    estimated: bool = False


def count_upto(where: list[ColumnElement[bool]], cap: int) -> int:
    """How many customers meet `where`, reading no more than `cap` of them."""
    inner = select(literal(1)).select_from(Customer).where(*where).limit(cap)
    return db.session.scalar(select(func.count()).select_from(inner.subquery())) or 0


def count_conditions(merchant_id: int, filters: CustomerFilters) -> list[ColumnElement[bool]]:
    """The WHERE terms to count by: a SQLite scan skips the merchant's index, as when read."""
    return filter_conditions(merchant_id, filters, unindexed=uses_scan(filters))


def count_customers(merchant_id: int, filters: CustomerFilters, *, cap: int) -> int:
    """How many customers match, counting no further than `cap` (cheap at any size)."""
    return count_upto(count_conditions(merchant_id, filters), cap)


def _memory_key(filters: CustomerFilters) -> CustomerFilters:
    """The filters as the count memory knows them: the order does not change a count."""
    return replace(filters, order_by=ORDER_BY[0])


def planner_estimate(where: list[ColumnElement[bool]]) -> int:
    """PostgreSQL's own row estimate for these conditions (planning only, no rows read)."""
    connection = db.session.connection()
    compiled = select(Customer.id).where(*where).compile(dialect=connection.dialect)
    plan = connection.exec_driver_sql(
        "EXPLAIN (FORMAT JSON) " + compiled.string, compiled.params
    ).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _kept_estimate(merchant_id: int, filters: CustomerFilters) -> int:
    """The planner's estimate for these filters, kept a few seconds (count_cache.py)."""
    key = _memory_key(filters)
    memory = capped_counts()
    value = memory.estimate(merchant_id, key)
    if value is None:
        value = planner_estimate(filter_conditions(merchant_id, filters))
        memory.remember_estimate(merchant_id, key, value)
    return value


def _capped_total(merchant_id: int, filters: CustomerFilters, cap: int) -> tuple[int, bool]:
    """(total, exact): counted up to cap + 1, unless a count of the same filters went past
    the cap a few seconds ago (see count_cache: a big merchant's answer stays "more than")."""
    key = _memory_key(filters)
    memory = capped_counts()
    if memory.over_cap(merchant_id, key, cap):
        return cap, False
    counted = count_upto(count_conditions(merchant_id, filters), cap + 1)
    if counted > cap:
        memory.remember_over_cap(merchant_id, key, cap)
    return min(counted, cap), counted <= cap


def list_total(merchant_id: int, filters: CustomerFilters, *, seen: int) -> ListTotal:
    """The total of a list whose pages do not tell it, `seen` being how many rows the
    reader already knows of (an estimate below that would contradict the page)."""
    if uses_trigram(filters):
        # Counting trigram matches costs a second index scan, as slow as the page itself
        # when the term is made of common trigrams; the planner's estimate costs nothing.
        return ListTotal(max(_kept_estimate(merchant_id, filters), seen), False, True)
    # Without a trigram index every counted row is scanned: count less far there.
    cap = SCAN_COUNT_CAP if uses_scan(filters) else COUNT_CAP
    return ListTotal(*_capped_total(merchant_id, filters, cap))
