"""Orders from a CSV or XLSX file: one row per item, the rows of one order sharing its PO
number, recorded by the same rule as POST /api/open/orders.

Why: an order system that cannot call the API can still export a file. Each order goes
through record_order (portal/customers/order_intake.py) in its own savepoint, so a
refused order keeps the rest, a PO number already recorded is counted and not written
twice, and every new order moves its customer's last-order time and fires
`order.created`. The file is read by the customer import's reader; it is small enough
(MAX_ROWS) to be recorded while the request waits.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from portal.core.error_codes import ApiError, CustomerImportError, OrderError
from portal.core.errors import ServiceError
from portal.customers.importing import RowError, read_file
from portal.customers.order_intake import (
    PO_NUMBER_MAX,
    PRICE_MAX,
    QUANTITY_MAX,
    NewItem,
    record_order,
)
from portal.extensions import db

COLUMNS = ("po_number", "customer_id", "date", "status", "product_name", "quantity", "price")
# What every row of one order repeats; the order is refused if its rows disagree.
ORDER_COLUMNS = ("customer_id", "date", "status")
MAX_ROWS = 2_000
MAX_BYTES = 2 * 1024 * 1024
Row = tuple[int, dict[str, str]]


@dataclass
class FileOrder:
    """One PO number's rows, in the file's order."""

    po_number: int
    rows: list[Row] = field(default_factory=list)
    items: list[NewItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def first(self) -> dict[str, str]:
        return self.rows[0][1]


@dataclass
class OrdersOutcome:
    """What the file did: orders recorded, already recorded (the same PO number), and
    refused, with each refused row's errors and the refused rows as CSV."""

    recorded: int = 0
    already_recorded: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[Row] = field(default_factory=list)

    def rejected_csv(self) -> str:
        """The refused rows with an `error` column; text starting =+-@ made inert."""
        from portal.merchants.export import csv_safe

        by_row: dict[int, list[str]] = {}
        for error in self.errors:
            by_row.setdefault(error.row, []).append(f"{error.column}: {error.message}")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([*COLUMNS, "error"])
        for number, row in sorted(self.rejected_rows, key=lambda r: r[0]):
            cells = [csv_safe(row.get(column, "")) for column in COLUMNS]
            writer.writerow([*cells, "; ".join(by_row.get(number, []))])
        return buffer.getvalue()


def template_csv() -> str:
    """The header and one example order of two items."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(["1001", "123", "2026-11-30", "S", "Rice 5 kg", "2", "650"])
    writer.writerow(["1001", "123", "2026-11-30", "S", "Lentils 1 kg", "1", "140"])
    return buffer.getvalue()


def _whole_number(row: dict[str, str], name: str, low: int, high: int) -> int:
    text = (row.get(name) or "").strip()
    if not text:
        raise ServiceError(ApiError.REQUIRED, field=name, name=name)
    if not text.isascii() or not text.lstrip("-").isdigit():
        raise ServiceError(ApiError.WRONG_TYPE, field=name, name=name, kind="a whole number")
    value = int(text)
    if value < low:
        raise ServiceError(ApiError.TOO_SMALL, field=name, name=name, limit=low)
    if value > high:
        raise ServiceError(ApiError.TOO_BIG, field=name, name=name, limit=high)
    return value


def _item(row: dict[str, str]) -> NewItem:
    """The row's item; the length rules are record_order's own."""
    return NewItem(
        product_name=(row.get("product_name") or "").strip(),
        quantity=_whole_number(row, "quantity", 1, QUANTITY_MAX),
        price=_whole_number(row, "price", 0, PRICE_MAX),
    )


def _row_error(number: int, err: ServiceError) -> RowError:
    """The error on its file column: `items[3].price` is the row's `price`."""
    column = (err.field or "").rpartition(".")[2] or "po_number"
    return RowError(number, column if column in COLUMNS else "po_number", err)


def read_orders(path: str) -> tuple[dict[int, FileOrder], OrdersOutcome]:
    """The file's orders by PO number, and the outcome holding the rows refused on their
    own (a PO number that is not one); raises the file's refusals."""
    if os.path.getsize(path) > MAX_BYTES:
        limit = MAX_BYTES >> 20
        raise ServiceError(
            CustomerImportError.FILE_TOO_LARGE, field="file", status=413, limit=limit
        )
    header, rows = read_file(path)
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        columns = ", ".join(missing)
        raise ServiceError(CustomerImportError.COLUMNS_MISSING, field="file", columns=columns)
    orders: dict[int, FileOrder] = {}
    outcome = OrdersOutcome()
    for count, (number, row) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise ServiceError(CustomerImportError.TOO_MANY_ROWS, field="file", limit=MAX_ROWS)
        try:
            po_number = _whole_number(row, "po_number", 1, PO_NUMBER_MAX)
        except ServiceError as err:
            outcome.errors.append(_row_error(number, err))
            outcome.rejected_rows.append((number, row))
            continue
        _add_row(orders.setdefault(po_number, FileOrder(po_number)), number, row)
    return orders, outcome


def _add_row(order: FileOrder, number: int, row: dict[str, str]) -> None:
    if order.rows:
        for name in ORDER_COLUMNS:
            if (row.get(name) or "").strip() != (order.first.get(name) or "").strip():
                differs = ServiceError(
                    OrderError.ROWS_DIFFER, field=name, name=name, po=order.po_number
                )
                order.errors.append(RowError(number, name, differs))
    order.rows.append((number, row))
    try:
        order.items.append(_item(row))
    except ServiceError as err:
        order.errors.append(_row_error(number, err))


def import_orders(merchant_id: int, path: str, *, actor: str) -> OrdersOutcome:
    """Record every order of the file; a refused order keeps the rest. Flushes only."""
    orders, outcome = read_orders(path)
    for order in orders.values():
        _record(merchant_id, order, outcome, actor=actor)
    return outcome


def _record(merchant_id: int, order: FileOrder, outcome: OrdersOutcome, *, actor: str) -> None:
    errors = order.errors
    if not errors:
        first = order.first
        try:
            with db.session.begin_nested():
                intake = record_order(
                    merchant_id,
                    customer_id=(first.get("customer_id") or "").strip(),
                    po_number=order.po_number,
                    date=(first.get("date") or "").strip(),
                    status=(first.get("status") or "").strip(),
                    items=order.items,
                    actor=actor,
                )
        except ServiceError as err:
            errors = [_row_error(order.rows[_row_index(err)][0], err)]
        else:
            outcome.recorded += intake.created
            outcome.already_recorded += not intake.created
            return
    outcome.rejected += 1
    outcome.errors.extend(errors)
    outcome.rejected_rows.extend(order.rows)


def _row_index(err: ServiceError) -> int:
    """The row an order's refusal points at: items[n]'s row, else the order's first."""
    name = err.field or ""
    if name.startswith("items[") and "]" in name:
        return int(name[6 : name.index("]")])
    return 0


def first_errors(errors: Iterable[RowError], limit: int = 20) -> list[RowError]:
    """The first refusals in the file's order, for a page."""
    return sorted(errors, key=lambda e: e.row)[:limit]
