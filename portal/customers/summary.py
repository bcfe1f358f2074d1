"""Customer counts kept per merchant, month, category, status and live-or-deleted.

The reports (new customers per month), the category list's counts and the unfiltered
list totals read this small table instead of aggregating every customer: at 1,000,000
customers those aggregates took 130-200 ms and grew with the merchant, a sum over this
table reads a few hundred rows at most.

The database keeps it, not the ORM: triggers written by migration 0007 add and take
away one in the same transaction as the insert, update or delete of a customer, so bulk
statements, imports and the benchmark's COPY are counted like single saves, and a
rolled-back request leaves the counts as they were. Months are UTC months ("YYYY-MM"),
as the per-month report has always grouped them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import Boolean, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.customers.search_filters import CustomerFilters
from portal.extensions import db


class CustomerCount(db.Model):
    """How many customers one merchant has in one month, category, status and state."""

    __tablename__ = "customer_counts"

    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    registration_status: Mapped[str] = mapped_column(String(1), primary_key=True)
    live: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    customers: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def counts_by_category(merchant_id: int) -> dict[str, int]:
    """Customers per category code, deleted ones included (they keep their category)."""
    rows = db.session.execute(
        select(CustomerCount.category_code, func.sum(CustomerCount.customers))
        .where(CustomerCount.merchant_id == merchant_id)
        .group_by(CustomerCount.category_code)
    )
    return {code: int(total) for code, total in rows if total}


def counts_by_month(
    merchant_id: int, months: Iterable[str], *, category: str | None = None
) -> dict[str, int]:
    """Customers added in each of `months` ("YYYY-MM"), deleted ones included."""
    wanted = list(months)
    query = (
        select(CustomerCount.month, func.sum(CustomerCount.customers))
        .where(CustomerCount.merchant_id == merchant_id, CustomerCount.month.in_(wanted))
        .group_by(CustomerCount.month)
    )
    if category:
        query = query.where(CustomerCount.category_code == category)
    return {month: int(total) for month, total in db.session.execute(query) if total}


def live_total(
    merchant_id: int,
    *,
    category: str | None = None,
    status: str | None = None,
    first_month: str | None = None,
    last_month: str | None = None,
) -> int:
    """Customers not deleted, exactly, by category, status and whole UTC months."""
    query = select(func.coalesce(func.sum(CustomerCount.customers), 0)).where(
        CustomerCount.merchant_id == merchant_id, CustomerCount.live.is_(True)
    )
    if category:
        query = query.where(CustomerCount.category_code == category)
    if status:
        query = query.where(CustomerCount.registration_status == status)
    if first_month:
        query = query.where(CustomerCount.month >= first_month)
    if last_month:
        query = query.where(CustomerCount.month <= last_month)
    return int(db.session.scalar(query) or 0)


def _whole_months(filters: CustomerFilters) -> tuple[str | None, str | None] | None:
    """The filters' date range as (first, last) UTC months, None when it cuts a month."""
    start, end = filters.created_from, filters.created_to
    if start is not None and start.day != 1:
        return None
    if end is not None and (end + timedelta(days=1)).day != 1:
        return None
    return (
        start.strftime("%Y-%m") if start else None,
        end.strftime("%Y-%m") if end else None,
    )


def summary_total(merchant_id: int, filters: CustomerFilters) -> int | None:
    """The exact total of a list the summary can answer (no keyword or tag, dates in
    whole months); None for any other, whose total has to be counted."""
    # The summary counts by category, status and month: a keyword or a tag it cannot answer.
    # Nor marketing consent, which it does not track.
    months = (
        None
        if filters.keyword or filters.tag or filters.consent_filtered
        else _whole_months(filters)
    )
    if months is None:
        return None
    return live_total(
        merchant_id,
        category=filters.category,
        status=filters.status,
        first_month=months[0],
        last_month=months[1],
    )
