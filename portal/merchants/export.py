"""Exporting the filtered customer list as XLSX or CSV, inline or mailed by a job.

Cells are always written with an explicit type (write_string / write_number), never
with XlsxWriter's guessing write(), and the workbook is told not to turn strings into
formulas or links: a customer named "=HYPERLINK(...)" stays text. CSV has no cell
types, so text starting with = + - @ tab or CR gets a leading apostrophe (OWASP).
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from typing import IO

import xlsxwriter
from sqlalchemy import DateTime, case, func, true, type_coerce

from portal.core.errors import ServiceError
from portal.core.sql_text import text_or_empty, utc_minute
from portal.customers.models import Customer
from portal.customers.search import CustomerFilters, iter_customer_rows
from portal.merchants.models import BUILTIN_CATEGORIES, Merchant

HEADERS = (
    "Customer ID",
    "Name",
    "Phone",
    "Email",
    "Address",
    "Category",
    "Status",
    "Active",
    "Created at",
    "Last order at",
    "SMS consent",
    "Email consent",
)
# The keyset columns the paging needs, then the cells in HEADERS order, formatted by the
# database (see portal/core/sql_text.py): rows arrive ready to write.
# The timestamps are read as plain DateTime: they only feed the next batch's keyset, and
# the app's UTCDateTime conversion on every row cost an eighth of the export's overhead.
KEYSET_COLUMNS = (
    Customer.id,
    type_coerce(Customer.created_at, DateTime(timezone=True)).label("created_at"),
    type_coerce(Customer.last_order_at, DateTime(timezone=True)).label("last_order_at"),
)
CELL_COLUMNS = (
    text_or_empty(Customer.public_id),
    text_or_empty(Customer.full_name),
    func.coalesce(Customer.phone, Customer.unconfirmed_phone, ""),
    text_or_empty(Customer.email),
    text_or_empty(Customer.address),
    case(
        BUILTIN_CATEGORIES,
        value=Customer.category_code,
        else_=text_or_empty(Customer.category_code),
    ),
    text_or_empty(Customer.registration_status),
    text_or_empty(Customer.active_state),
    text_or_empty(utc_minute(Customer.created_at)),
    text_or_empty(utc_minute(Customer.last_order_at)),
    case((Customer.sms_consent.is_(true()), "yes"), else_="no"),
    case((Customer.email_consent.is_(true()), "yes"), else_="no"),
)
COLUMNS = (
    *KEYSET_COLUMNS,
    *(cell.label(f"cell_{i}") for i, cell in enumerate(CELL_COLUMNS)),
)
FIRST_CELL = len(KEYSET_COLUMNS)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_rows(merchant_id: int, filters: CustomerFilters) -> Iterator[tuple[str, ...]]:
    """The filtered customers in list order, each as its cells in HEADERS order."""
    for row in iter_customer_rows(merchant_id, filters, COLUMNS):
        yield tuple(row[FIRST_CELL:])


def write_xlsx(
    merchant_id: int,
    filters: CustomerFilters,
    fileobj: IO[bytes] | str,
    *,
    rows: Callable[[int, CustomerFilters], Iterator[tuple[str, ...]]] = export_rows,
) -> int:
    """Write the filtered customers as one XLSX sheet; memory stays flat at any size.

    Returns the number of customer rows written.
    """
    workbook = xlsxwriter.Workbook(fileobj, WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("Customers")
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(HEADERS):
        sheet.write_string(0, col, title, bold)
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, len(HEADERS) - 1, 18)
    count = 0
    write_string = sheet.write_string
    try:
        for count, cells in enumerate(rows(merchant_id, filters), start=1):
            for col, value in enumerate(cells):
                if value:
                    write_string(count, col, value)
    except BaseException:
        # A stopped export (cancelled, failed) still lets go of the sheet's temporary
        # files; what it wrote is thrown away by the caller.
        with contextlib.suppress(Exception):
            workbook.close()
        raise
    workbook.close()
    return count


def csv_safe(value: str) -> str:
    """Neutralise a leading formula character for spreadsheet programs opening CSV."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def stream_csv(merchant_id: int, filters: CustomerFilters) -> Iterator[str]:
    """The filtered customers as CSV text chunks (header first), for a streamed answer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    pending = 0
    for cells in export_rows(merchant_id, filters):
        writer.writerow([csv_safe(value) for value in cells])
        pending += 1
        if pending >= 1000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def month_filters(filters: CustomerFilters, month: str | None) -> CustomerFilters:
    """Narrow the filters to customers created in `month` ("yyyy-mm", document 003)."""
    if not month:
        return filters
    match = MONTH_RE.match(month)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ServiceError("month_invalid", "Enter the month as yyyy-mm.", field="month")
    year, number = int(match.group(1)), int(match.group(2))
    first = date(year, number, 1)
    last = date(year, number, calendar.monthrange(year, number)[1])
    start = max(first, filters.created_from) if filters.created_from else first
    end = min(last, filters.created_to) if filters.created_to else last
    return replace(filters, created_from=start, created_to=end)


def export_filename(merchant: Merchant, extension: str) -> str:
    return f"{merchant.slug}-customers-{date.today().isoformat()}.{extension}"


def filters_to_args(filters: CustomerFilters) -> dict[str, str]:
    """Filters as plain strings, so a queued job can carry them."""
    return {**filters.as_args(), "search_in": filters.search_in, "order_by": filters.order_by}
