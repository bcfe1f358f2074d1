"""The WHERE terms of a customer list, written so that each backend can use its indexes.

Every term set starts with the merchant and leaves soft-deleted customers out, so no
caller can forget tenant scoping. How a keyword is matched depends on the backend:
phone search is a range on the E.164 column, or on its digits backwards for the last
digits (phone_suffix.py); substring search is a LIKE that SQLite scans (search_scans.py
reads those rows) and that PostgreSQL answers from trigram indexes, given only the rare
pieces of the term (trigram_pieces.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, literal, or_, select

from portal.core.phone import phone_search_prefix
from portal.customers.consent import consent_condition
from portal.customers.models import Customer
from portal.customers.phone_suffix import suffix_condition, suffix_digits
from portal.customers.search_filters import CustomerFilters
from portal.customers.tags import tag_filter
from portal.customers.trigram_pieces import piece_conditions, samples
from portal.extensions import db
from portal.merchants.models import Merchant

# The columns a substring search reads, by "Search in" choice (phone is a range instead).
TEXT_COLUMNS = {"NAME": "full_name", "EMAIL": "email", "ADDRESS": "address"}


def searched_column(filters: CustomerFilters) -> ColumnElement[str]:
    """The Customer column a substring search of these filters reads."""
    column: ColumnElement[str] = getattr(Customer, TEXT_COLUMNS[filters.search_in])
    return column


def like_pattern(keyword: str) -> str:
    """A LIKE pattern finding `keyword` anywhere, its wildcards taken literally."""
    escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _phone_condition(merchant_id: int, keyword: str) -> ColumnElement[bool]:
    """Numbers starting with the keyword in its local or international form, or ending
    in its digits ("5032" as read out after "your number?", see phone_suffix.py)."""
    country = db.session.scalar(select(Merchant.country_code).where(Merchant.id == merchant_id))
    prefix = phone_search_prefix(keyword, country)
    if prefix is None:
        return literal(False)
    # E.164 holds only "+" and digits; ":" sorts right after "9", closing the range.
    upper = prefix + ":"
    starting = or_(
        and_(Customer.phone >= prefix, Customer.phone < upper),
        and_(Customer.unconfirmed_phone >= prefix, Customer.unconfirmed_phone < upper),
    )
    ending = suffix_digits(keyword)
    return starting if ending is None else or_(starting, suffix_condition(ending))


def keyword_condition(merchant_id: int, filters: CustomerFilters) -> ColumnElement[bool] | None:
    """The term matching the keyword in its "Search in" column; None without a keyword."""
    keyword = filters.keyword
    if not keyword:
        return None
    if filters.search_in == "PHONE":
        return _phone_condition(merchant_id, keyword)
    column = searched_column(filters)
    pattern = like_pattern(keyword)
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE already ignores ASCII case; ilike's lower() on every row costs more.
        return column.like(pattern, escape="\\")
    rare = samples().rare_pieces(merchant_id, column, keyword)
    if rare is None:
        return column.ilike(pattern, escape="\\")
    # The indexes see only the rare pieces; `column || ''` hides the whole term
    # from it, so the term is checked on the rows found (see trigram_pieces.py).
    return and_(
        *piece_conditions(column, rare, like_pattern),
        column.concat("").ilike(pattern, escape="\\"),
    )


def _substring_search_on(filters: CustomerFilters, dialect: str) -> bool:
    """True for a keyword searched as a substring (not a phone range) on that backend."""
    return (
        bool(filters.keyword)
        and filters.search_in != "PHONE"
        and db.session.get_bind().dialect.name == dialect
    )


def uses_scan(filters: CustomerFilters) -> bool:
    """SQLite substring search: no trigram index, so rows are scanned (search_scans.py)."""
    return _substring_search_on(filters, "sqlite")


def uses_trigram(filters: CustomerFilters) -> bool:
    """PostgreSQL substring search: answered by a trigram index."""
    return _substring_search_on(filters, "postgresql")


def filter_conditions(
    merchant_id: int,
    filters: CustomerFilters,
    *,
    keyword: bool = True,
    unindexed: bool = False,
) -> list[ColumnElement[bool]]:
    """The WHERE terms; `unindexed` writes the merchant term so SQLite will not walk an
    index with it (a full scan beats index order when few rows match)."""
    tagged = tag_filter(merchant_id, filters.tag) if filters.tag else None
    # A rare tag's few customers are read from the link table and sorted: the merchant's
    # index, walked in list order, would check most of the list to find them.
    unindexed = unindexed or (tagged is not None and tagged.rare)
    merchant_column = Customer.merchant_id + 0 if unindexed else Customer.merchant_id
    conditions: list[ColumnElement[bool]] = [
        merchant_column == merchant_id,
        Customer.deleted_at.is_(None),
    ]
    matching = keyword_condition(merchant_id, filters) if keyword else None
    if matching is not None:
        conditions.append(matching)
    if filters.created_from:
        start = datetime.combine(filters.created_from, time.min, tzinfo=UTC)
        conditions.append(Customer.created_at >= start)
    if filters.created_to:
        end = datetime.combine(filters.created_to + timedelta(days=1), time.min, tzinfo=UTC)
        conditions.append(Customer.created_at < end)
    if filters.category:
        conditions.append(Customer.category_code == filters.category)
    if filters.status:
        conditions.append(Customer.registration_status == filters.status)
    if tagged is not None:
        conditions.append(tagged.condition)
    for channel in ("sms", "email"):
        wanted = getattr(filters, f"{channel}_consent")
        if wanted is not None:
            conditions.append(consent_condition(channel, wanted))
    return conditions
