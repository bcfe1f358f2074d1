"""Finding a merchant's customers: filters, keyset paging and capped counts.

The console list, the export and the JSON API share this module. Every query is
scoped to one merchant and leaves soft-deleted customers out.

Speed rules (see benchmarks/README.md): pages are read in index order and stop early;
deep pages follow a keyset cursor; phone search is a range on the E.164 column; name,
email and address search use trigram indexes on PostgreSQL; a count never reads more
than COUNT_CAP + 1 rows (SCAN_COUNT_CAP + 1 for SQLite substring searches, which scan),
and is reported as inexact beyond that; that "more than" answer is then remembered for a
few seconds per merchant and filters (count_cache.py), exact totals never are.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import lazyload

from portal.core.dates import day_range
from portal.core.errors import ServiceError
from portal.core.inputs import loads_json
from portal.core.phone import phone_search_prefix
from portal.customers.count_cache import capped_counts
from portal.customers.fields import ValidationFailed
from portal.customers.models import Customer, RegistrationStatus
from portal.customers.text_index import matching_ids
from portal.customers.trigram_pieces import piece_conditions, samples
from portal.extensions import db
from portal.merchants.models import Merchant

SEARCH_IN = ("NAME", "EMAIL", "PHONE", "ADDRESS")
# The columns a substring search reads, by "Search in" choice (phone is a range instead).
TEXT_COLUMNS = {"NAME": "full_name", "EMAIL": "email", "ADDRESS": "address"}
ORDER_BY = ("LATEST_CUSTOMER", "LAST_ORDER")
STATUSES = tuple(s.value for s in RegistrationStatus)
KEYWORD_MAX = 50
PER_PAGE_MAX = 100
COUNT_CAP = 10_000
SCAN_COUNT_CAP = 1_000
CATEGORY_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")

# Query names: the console's first, then document 003's.
ARG_NAMES = {
    "keyword": ("keyword", "q"),
    "search_in": ("search_in", "type"),
    "created_from": ("created_from", "create_from"),
    "created_to": ("created_to", "create_to"),
    "category": ("category",),
    "status": ("status", "registration_status"),
    "order_by": ("order_by",),
}


@dataclass(frozen=True)
class CustomerFilters:
    keyword: str | None = None
    search_in: str = "NAME"
    created_from: date | None = None
    created_to: date | None = None
    category: str | None = None
    status: str | None = None
    order_by: str = "LATEST_CUSTOMER"

    @property
    def is_filtered(self) -> bool:
        """True when anything narrows the list (the sort order does not)."""
        return bool(
            self.keyword or self.created_from or self.created_to or self.category or self.status
        )

    def as_args(self) -> dict[str, str]:
        """The console's query string for these filters (empty values left out)."""
        args = {
            "keyword": self.keyword or "",
            "search_in": self.search_in if self.keyword else "",
            "created_from": self.created_from.isoformat() if self.created_from else "",
            "created_to": self.created_to.isoformat() if self.created_to else "",
            "category": self.category or "",
            "status": self.status or "",
            "order_by": self.order_by if self.order_by != "LATEST_CUSTOMER" else "",
        }
        return {key: value for key, value in args.items() if value}


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


def _first(args: Mapping[str, Any], field: str) -> str:
    for name in ARG_NAMES[field]:
        value = args.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def parse_filters(args: Mapping[str, Any]) -> CustomerFilters:
    """Read filters from query arguments (console or document 003 names), checking each.

    Raises ValidationFailed naming every bad field, so pages and the API can say which.
    """
    errors: dict[str, str | ServiceError] = {}
    keyword = _first(args, "keyword")
    if len(keyword) > KEYWORD_MAX:
        errors["keyword"] = f"Use at most {KEYWORD_MAX} characters."
    search_in = (_first(args, "search_in") or "NAME").upper()
    if search_in not in SEARCH_IN:
        errors["search_in"] = "Choose Name, Email, Phone or Address."
    try:
        created_from, created_to = day_range(
            _first(args, "created_from"),
            _first(args, "created_to"),
            start_field="created_from",
            end_field="created_to",
        )
    except ValidationFailed as exc:
        errors |= exc.problems
        created_from = created_to = None
    category = _first(args, "category")
    if category and not CATEGORY_RE.match(category):
        errors["category"] = "Choose a category from the list."
    status = _first(args, "status").upper()
    if status and status not in STATUSES:
        errors["status"] = "Choose a status from the list."
    order_by = (_first(args, "order_by") or "LATEST_CUSTOMER").upper()
    if order_by not in ORDER_BY:
        errors["order_by"] = "Sort by latest customer or last order."
    if errors:
        raise ValidationFailed(errors)
    return CustomerFilters(
        keyword=keyword or None,
        search_in=search_in,
        created_from=created_from,
        created_to=created_to,
        category=category or None,
        status=status or None,
        order_by=order_by,
    )


def _like_pattern(keyword: str) -> str:
    escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _keyword_condition(merchant_id: int, filters: CustomerFilters) -> ColumnElement[bool] | None:
    keyword = filters.keyword
    if not keyword:
        return None
    if filters.search_in == "PHONE":
        country = db.session.scalar(select(Merchant.country_code).where(Merchant.id == merchant_id))
        prefix = phone_search_prefix(keyword, country)
        if prefix is None:
            return literal(False)
        # E.164 holds only "+" and digits; ":" sorts right after "9", closing the range.
        upper = prefix + ":"
        return or_(
            and_(Customer.phone >= prefix, Customer.phone < upper),
            and_(Customer.unconfirmed_phone >= prefix, Customer.unconfirmed_phone < upper),
        )
    column = getattr(Customer, TEXT_COLUMNS[filters.search_in])
    pattern = _like_pattern(keyword)
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE already ignores ASCII case; ilike's lower() on every row costs more.
        return column.like(pattern, escape="\\")
    rare = samples().rare_pieces(merchant_id, column, keyword)
    if rare is None:
        return column.ilike(pattern, escape="\\")
    # The indexes see only the rare pieces; `column || ''` hides the whole term
    # from it, so the term is checked on the rows found (see trigram_pieces.py).
    return and_(
        *piece_conditions(column, rare, _like_pattern),
        column.concat("").ilike(pattern, escape="\\"),
    )


def _uses_scan(filters: CustomerFilters) -> bool:
    """SQLite substring search: no trigram index, so rows are scanned (see _read)."""
    return (
        bool(filters.keyword)
        and filters.search_in != "PHONE"
        and db.session.get_bind().dialect.name == "sqlite"
    )


def _conditions(
    merchant_id: int,
    filters: CustomerFilters,
    *,
    keyword: bool = True,
    unindexed: bool = False,
) -> list[ColumnElement[bool]]:
    """The WHERE terms; `unindexed` writes the merchant term so SQLite will not walk an
    index with it (a full scan beats index order when few rows match)."""
    merchant_column = Customer.merchant_id + 0 if unindexed else Customer.merchant_id
    conditions: list[ColumnElement[bool]] = [
        merchant_column == merchant_id,
        Customer.deleted_at.is_(None),
    ]
    matching = _keyword_condition(merchant_id, filters) if keyword else None
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
    return conditions


def _uses_trigram(filters: CustomerFilters) -> bool:
    """PostgreSQL substring search: answered by a trigram index."""
    return (
        bool(filters.keyword)
        and filters.search_in != "PHONE"
        and db.session.get_bind().dialect.name == "postgresql"
    )


def _estimate(where: list[ColumnElement[bool]]) -> int:
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
    key = replace(filters, order_by=ORDER_BY[0])
    memory = capped_counts()
    value = memory.estimate(merchant_id, key)
    if value is None:
        value = _estimate(_conditions(merchant_id, filters))
        memory.remember_estimate(merchant_id, key, value)
    return value


def _count_conditions(merchant_id: int, filters: CustomerFilters) -> list[ColumnElement[bool]]:
    return _conditions(merchant_id, filters, unindexed=_uses_scan(filters))


# --- keyset cursors ------------------------------------------------------------------
#
# LATEST_CUSTOMER walks (created_at, id) downwards. LAST_ORDER walks two segments so
# that both backends use the (merchant_id, last_order_at, id) index: first customers
# with orders by (last_order_at, id) downwards, then those without by id downwards.


@dataclass(frozen=True)
class _Key:
    segment: int  # 0: created_at / with orders; 1: customers without orders
    at: datetime | None
    id: int


def _encode(key: _Key) -> str:
    raw = json.dumps([key.segment, key.at.isoformat() if key.at else None, key.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> _Key:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        segment, at, pk = loads_json(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(at) if at is not None else None
        if segment not in (0, 1) or not isinstance(pk, int) or (segment == 0 and moment is None):
            raise ValueError(cursor)
        return _Key(segment, moment, pk)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ServiceError(
            "cursor_invalid", "That page link is no longer valid.", field="cursor"
        ) from exc


def _key_of(customer_row: Any, order_by: str) -> _Key:
    if order_by == "LAST_ORDER":
        if customer_row.last_order_at is None:
            return _Key(1, None, customer_row.id)
        return _Key(0, customer_row.last_order_at, customer_row.id)
    return _Key(0, customer_row.created_at, customer_row.id)


def _segments(
    conditions: list[ColumnElement[bool]], order_by: str, after: _Key | None
) -> list[tuple[list[ColumnElement[bool]], list[Any]]]:
    """(where, order) per segment still to read, starting after the cursor."""
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


def _count_upto(where: list[ColumnElement[bool]], cap: int) -> int:
    inner = select(literal(1)).select_from(Customer).where(*where).limit(cap)
    return db.session.scalar(select(func.count()).select_from(inner.subquery())) or 0


@dataclass(frozen=True)
class _Scan:
    """How to read a SQLite substring search: first the newest WINDOW rows in list order
    (enough when the term is common), else the rows the FTS5 trigram index finds
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


SCAN_WINDOW = 3000


def _read(
    columns: Sequence[Any],
    where: list[ColumnElement[bool]],
    order: list[Any],
    *,
    limit: int,
    offset: int = 0,
    scan: _Scan | None = None,
) -> list[Any]:
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


def _fetch(
    merchant_id: int,
    filters: CustomerFilters,
    columns: Sequence[Any],
    *,
    limit: int,
    offset: int = 0,
    after: _Key | None = None,
) -> list[Any]:
    """Up to `limit` rows in list order, skipping `offset` rows or starting after a key."""
    scanning = _uses_scan(filters)
    conditions = _conditions(merchant_id, filters, keyword=not scanning)
    segments = _segments(conditions, filters.order_by, after)
    scans: list[_Scan | None] = [None] * len(segments)
    if scanning:
        matching = _keyword_condition(merchant_id, filters)
        assert matching is not None and filters.keyword
        unindexed = _conditions(merchant_id, filters, keyword=False, unindexed=True)
        column = getattr(Customer, TEXT_COLUMNS[filters.search_in])
        sample = samples()
        text_ids = matching_ids(
            column.key, filters.keyword, sample.rare_pieces(merchant_id, column, filters.keyword)
        )
        window = sample.share(merchant_id, column, filters.keyword) != 0.0
        scans = [
            _Scan(matching, where, text_ids, window)
            for where, _ in _segments(unindexed, filters.order_by, after)
        ]
    rows: list[Any] = []
    for (where, order), scan in zip(segments, scans, strict=True):
        if offset:
            # A later segment only starts once this one's rows are used up: count them.
            got = _read(columns, where, order, limit=limit - len(rows), offset=offset, scan=scan)
            if not got:
                counted = scan.rest if scan else where
                offset = max(0, offset - _count_upto(counted, offset))
                continue
            offset = 0
        else:
            got = _read(columns, where, order, limit=limit - len(rows), scan=scan)
        rows.extend(got)
        if len(rows) >= limit:
            break
    return rows


def _check_paging(page: int, per_page: int) -> None:
    if not isinstance(per_page, int) or not 1 <= per_page <= PER_PAGE_MAX:
        raise ServiceError(
            "per_page_invalid", f"Show between 1 and {PER_PAGE_MAX} rows.", field="per_page"
        )
    if not isinstance(page, int) or page < 1:
        raise ServiceError("page_invalid", "Pages start at 1.", field="page")


def _capped_total(merchant_id: int, filters: CustomerFilters, cap: int) -> tuple[int, bool]:
    """(total, exact): counted up to cap + 1, unless a count of the same filters went past
    the cap a few seconds ago (see count_cache: a big merchant's answer stays "more than")."""
    key = replace(filters, order_by=ORDER_BY[0])  # the order does not change the count
    memory = capped_counts()
    if memory.over_cap(merchant_id, key, cap):
        return cap, False
    counted = _count_upto(_count_conditions(merchant_id, filters), cap + 1)
    if counted > cap:
        memory.remember_over_cap(merchant_id, key, cap)
    return min(counted, cap), counted <= cap


def search_customers(
    merchant_id: int,
    filters: CustomerFilters,
    *,
    page: int = 1,
    per_page: int = 25,
    cursor: str | None = None,
    columns: Sequence[Any] = (Customer,),
) -> CustomerPage:
    """One page of the merchant's customers matching `filters`.

    `columns` other than the default Customer objects (e.g. ROW_COLUMNS) give plain rows;
    they must include id, created_at and last_order_at for the next page's cursor.

    With `cursor` (from a previous page's next_cursor) the page is read by keyset, which
    costs the same at any depth; otherwise `page` is an offset for shallow pages. The
    total is exact up to COUNT_CAP, beyond that `total_is_exact` is False ("10,000+");
    PostgreSQL substring searches report the planner's estimate (`total_is_estimate`).
    """
    _check_paging(page, per_page)
    after = _decode(cursor) if cursor else None
    offset = 0 if after else (page - 1) * per_page
    rows = _fetch(merchant_id, filters, columns, limit=per_page + 1, offset=offset, after=after)
    has_next = len(rows) > per_page
    items = rows[:per_page]
    estimated = False
    if not has_next and after is None and (items or offset == 0):
        total, exact = offset + len(items), True
    elif _uses_trigram(filters):
        # Counting trigram matches costs a second index scan, as slow as the page itself
        # when the term is made of common trigrams; the planner's estimate costs nothing.
        seen = offset + len(items) + (1 if has_next else 0)
        total, exact, estimated = max(_kept_estimate(merchant_id, filters), seen), False, True
    else:
        # Without a trigram index every counted row is scanned: count less far there.
        cap = SCAN_COUNT_CAP if _uses_scan(filters) else COUNT_CAP
        total, exact = _capped_total(merchant_id, filters, cap)
    next_cursor = _encode(_key_of(items[-1], filters.order_by)) if has_next and items else None
    return CustomerPage(
        items=items,
        page=page,
        per_page=per_page,
        total=total,
        total_is_exact=exact,
        has_next=has_next,
        next_cursor=next_cursor,
        total_is_estimate=estimated,
    )


def count_customers(merchant_id: int, filters: CustomerFilters, *, cap: int) -> int:
    """How many customers match, counting no further than `cap` (cheap at any size)."""
    return _count_upto(_count_conditions(merchant_id, filters), cap)


def _iter_rows(
    merchant_id: int, filters: CustomerFilters, columns: Sequence[Any], batch: int
) -> Iterator[Any]:
    after: _Key | None = None
    while True:
        rows = _fetch(merchant_id, filters, columns, limit=batch, after=after)
        yield from rows
        if len(rows) < batch:
            return
        after = _key_of(rows[-1], filters.order_by)


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
