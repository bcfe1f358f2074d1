"""Reports over a merchant's customers: new customers per month (document 003)."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.core.error_codes import MerchantError
from portal.core.errors import ServiceError
from portal.core.time import utcnow
from portal.customers.fields import category_codes
from portal.customers.summary import counts_by_month

MAX_MONTHS = 120


def _month_names(months: int, now: datetime) -> list[str]:
    """The last `months` UTC months as "YYYY-MM", newest first, this month included."""
    year, month = now.astimezone(UTC).year, now.astimezone(UTC).month
    names = []
    for _ in range(months):
        names.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return names


def customers_per_month(
    merchant_id: int,
    *,
    months: int = 12,
    category: str | None = None,
    now: datetime | None = None,
) -> list[tuple[str, int]]:
    """("YYYY-MM", count) of customers added per month, newest first, zero months included.

    Every customer added counts, deleted ones too: a report of registrations does not
    change its past months when someone is deleted later. The counts come from the
    summary table (customers/summary.py), one row per month, category and status.
    """
    if not 1 <= months <= MAX_MONTHS:
        raise ServiceError(MerchantError.MONTHS_INVALID, field="months")
    if category and category not in category_codes(merchant_id):
        raise ServiceError(MerchantError.CATEGORY_INVALID, field="category")
    names = _month_names(months, now or utcnow())
    counts = counts_by_month(merchant_id, names, category=category)
    return [(name, counts.get(name, 0)) for name in names]
