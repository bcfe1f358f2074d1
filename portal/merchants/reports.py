"""Reports over a merchant's customers: new customers per month (document 003)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from portal.core.error_codes import MerchantError
from portal.core.errors import ServiceError
from portal.core.time import utcnow
from portal.customers.fields import category_codes
from portal.customers.models import Customer
from portal.extensions import db

MAX_MONTHS = 120


def _month_starts(months: int, now: datetime) -> list[datetime]:
    """First instants (UTC) of the last `months` months, oldest first, plus the next month."""
    year, month = now.year, now.month
    starts = []
    for _ in range(months):
        starts.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    last = starts[-1]
    following = (
        datetime(last.year + 1, 1, 1, tzinfo=UTC)
        if last.month == 12
        else datetime(last.year, last.month + 1, 1, tzinfo=UTC)
    )
    return [*starts, following]


def _month_key(column: Any) -> Any:
    """SQL grouping customers by UTC month: date_trunc on PostgreSQL (cheaper per row than
    to_char), strftime on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("month", func.timezone("UTC", column))
    return func.strftime("%Y-%m", column)


def _as_month(value: Any) -> str:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]


def customers_per_month(
    merchant_id: int,
    *,
    months: int = 12,
    category: str | None = None,
    now: datetime | None = None,
) -> list[tuple[str, int]]:
    """("YYYY-MM", count) of customers added per month, newest first, zero months included.

    Every customer added counts, deleted ones too: a report of registrations does not
    change its past months when someone is deleted later. That also lets the query read
    only the (merchant, created_at) or (merchant, category, created_at) index.
    """
    if not 1 <= months <= MAX_MONTHS:
        raise ServiceError(MerchantError.MONTHS_INVALID, field="months")
    if category and category not in category_codes(merchant_id):
        raise ServiceError(MerchantError.CATEGORY_INVALID, field="category")
    bounds = _month_starts(months, now or utcnow())
    conditions = [
        Customer.merchant_id == merchant_id,
        Customer.created_at >= bounds[0],
        Customer.created_at < bounds[-1],
    ]
    if category:
        conditions.append(Customer.category_code == category)
    key = _month_key(Customer.created_at).label("month")
    counts = {
        _as_month(month): int(count)
        for month, count in db.session.execute(
            select(key, func.count()).where(*conditions).group_by(key)
        )
    }
    return [
        (start.strftime("%Y-%m"), counts.get(start.strftime("%Y-%m"), 0))
        for start in reversed(bounds[:-1])
    ]
