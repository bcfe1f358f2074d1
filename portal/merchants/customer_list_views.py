"""The customer list: filters, paging and export."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import lru_cache, wraps
from typing import Any

from flask import Response, flash, redirect, request, send_file, stream_with_context, url_for
from flask_babel import gettext

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.phone import format_phone
from portal.core.time import as_utc
from portal.core.zones import shop_clock
from portal.customers.fields import ValidationFailed
from portal.customers.search import (
    ROW_COLUMNS,
    CustomerFilters,
    CustomerPage,
    count_customers,
    parse_filters,
    search_customers,
)
from portal.customers.tags import merchant_tags
from portal.extensions import limiter
from portal.htmx import is_htmx, redirect_after_post, render_page_or_partial
from portal.i18n.messages import field_errors, translated
from portal.merchants.blueprint import bp
from portal.merchants.category_cache import list_category_choices
from portal.merchants.checklist import getting_started
from portal.merchants.export import XLSX_MIME, export_filename, stream_csv, write_xlsx
from portal.merchants.export_jobs import queue_export_email
from portal.merchants.list_forms import DEFAULT_PER_PAGE, parse_page, parse_per_page, row_labels
from portal.merchants.list_fragments import rendered_filter_form
from portal.merchants.segment_forms import SegmentForm
from portal.merchants.segment_panel import current_segment_id, segment_rows
from portal.sessions import current_staff, current_staff_unless_down
from portal.staff.access import console_reader, staff_actor
from portal.staff.models import StaffUser

# Longer lists are mailed: writing XLSX runs at about 15,000 rows a second.
INLINE_XLSX_MAX = 50_000


def _filters_or_errors() -> tuple[CustomerFilters, dict[str, str]]:
    try:
        return parse_filters(request.args), {}
    except ValidationFailed as err:
        refused(err)
        return CustomerFilters(), field_errors(err)


# Parsing a number is the slowest part of a table row; the same pages are shown again and again.
cached_format_phone = lru_cache(maxsize=8192)(format_phone)


def viewer_format_phone(e164: str | None, shop_country: str | None = None) -> str:
    """A phone as the viewer's shop writes it: national for the signed-in staff member's
    shop country (or `shop_country`), international otherwise. The staff member is read
    only when a template formats a phone, and never when the database is down."""
    if shop_country is None:
        staff = current_staff_unless_down()
        shop_country = staff.merchant.country_code if staff is not None else None
    return cached_format_phone(e164, shop_country)


@bp.app_context_processor
def console_helpers() -> dict[str, Any]:
    """`format_phone` for templates, in the viewer's shop's format."""
    return {"format_phone": viewer_format_phone}


@bp.get("/customers")
@console_reader
def customers() -> Response:
    """The merchant's customers, filtered by the query string (bookmarkable)."""
    user = current_staff()
    assert user is not None
    merchant_id = user.merchant_id
    categories = list_category_choices(merchant_id)
    filters, errors = _filters_or_errors()
    per_page = parse_per_page(request.args.get("per_page"))
    page = parse_page(request.args.get("page"), per_page)
    cursor = request.args.get("cursor") or None
    result = _list_page(merchant_id, filters, page=page, per_page=per_page, cursor=cursor)
    # htmx swaps only the table: the form is rendered (or reused) for whole pages only.
    form_html = (
        None if is_htmx() else rendered_filter_form(merchant_id, request.args, errors, categories)
    )
    response = render_page_or_partial(
        "merchants/customers.html",
        "merchants/_customer_table.html",
        filter_form_html=form_html,
        errors=errors,
        filters=filters,
        result=result,
        **_pager(filters, result),
        export_args=filters.as_args(),
        row_href=_row_href(),
        row_labels=_cell_labels(categories, user.merchant.country_code, user.merchant.time_zone),
        can_write=user.can_write,
        bulk_enabled=user.can_write,
        tag_suggestions=[] if is_htmx() else merchant_tags(merchant_id),
        checklist=_checklist(user),
        # The panel is outside the table htmx swaps: read for whole pages only.
        segment_rows=None if is_htmx() else segment_rows(merchant_id, filters),
        segment_form=SegmentForm(formdata=None),
    )
    if is_htmx():  # the panel stays: tell it which segment the new table shows
        current = current_segment_id(merchant_id, filters)
        response.headers["HX-Trigger"] = json.dumps({"segment-current": {"id": current}})
    return response


def _checklist(user: StaffUser) -> Any:
    """The getting-started steps for the owner's whole page (htmx swaps only the table)."""
    if user.role != "owner" or is_htmx():
        return None
    return getting_started(user.merchant)


def _list_page(
    merchant_id: int, filters: CustomerFilters, *, page: int, per_page: int, cursor: str | None
) -> CustomerPage:
    """The page asked for; a stale or edited cursor starts again at the first page of the
    same filters rather than failing."""
    try:
        return search_customers(
            merchant_id,
            filters,
            page=page,
            per_page=per_page,
            cursor=cursor,
            columns=ROW_COLUMNS,
        )
    except ServiceError as err:  # a cursor from before the data changed: start over
        refused(err)
        return search_customers(
            merchant_id, filters, page=1, per_page=per_page, columns=ROW_COLUMNS
        )


def _pager(filters: CustomerFilters, result: CustomerPage) -> dict[str, Any]:
    """The page number, size and links the pager shows; links keep the filters, and the
    page size only when it is not the default."""
    page, per_page = result.page, result.per_page
    base_args = {**filters.as_args(), "per_page": str(per_page)}
    if per_page == DEFAULT_PER_PAGE:
        base_args.pop("per_page")
    next_url = (
        url_for(".customers", **base_args, page=page + 1, cursor=result.next_cursor)
        if result.has_next
        else None
    )
    return {
        "page_number": page,
        "per_page": per_page,
        "next_url": next_url,
        "prev_url": url_for(".customers", **base_args, page=page - 1) if page > 1 else None,
        "first_url": url_for(".customers", **base_args) if page > 2 else None,
    }


def _cell_labels(
    categories: Sequence[tuple[str, str]], country: str | None, zone: str | None
) -> dict[str, Any]:
    """What table cells show besides the row's own values, looked up once per page:
    phones in the shop's format, days in its zone and the locale's format."""
    category_names, status_names = row_labels(categories)
    return {
        "categories": category_names,
        "statuses": status_names,
        "no_name": gettext("(no name)"),
        "format_phone": lambda e164: cached_format_phone(e164, country),
        "day": _day_labels(country, zone),
    }


def _day_labels(country: str | None, zone: str | None) -> Callable[[datetime | None], str]:
    """The shop's calendar day of a stored time, in the page's date format; each day
    is formatted once per page (a page of rows shares few days)."""
    clock = shop_clock(country, zone)
    formatted: dict[date, str] = {}

    def day(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = (as_utc(moment) or moment).astimezone(clock.zone).date()
        text = formatted.get(local)
        if text is None:
            text = formatted[local] = clock.day(local)
        return text

    return day


def _row_href() -> tuple[str, str]:
    """The customer page's URL split around the id: a row then needs no url_for of its own."""
    marker = "987654321"
    before, _, after = url_for(".customer", customer_id=int(marker)).partition(marker)
    return before, after


def _with_list_filters(view: Callable[[StaffUser, CustomerFilters], Any]) -> Callable[[], Any]:
    """Call an export with the signed-in user and the list's filters from the query
    string, or show the list again with a message when they do not parse (both exports
    start this way)."""

    @wraps(view)
    def wrapped() -> Any:
        user = current_staff()
        assert user is not None  # console_reader ran first
        try:
            filters = parse_filters(request.args)
        except ValidationFailed as err:
            refused(err)
            flash(gettext("Fix the filters before exporting."), "error")
            return redirect(url_for(".customers", **request.args))
        return view(user, filters)

    return wrapped


@bp.get("/customers/export.xlsx")
@console_reader
@limiter.limit("30 per hour")
@_with_list_filters
def export_xlsx(user: StaffUser, filters: CustomerFilters) -> Response:
    """The current filtered list as an Excel file, written to a temporary file and streamed."""
    if count_customers(user.merchant_id, filters, cap=INLINE_XLSX_MAX + 1) > INLINE_XLSX_MAX:
        flash(
            gettext(
                "This list is too long to download directly. Use “Email me the Excel file” "
                "or download the CSV file."
            ),
            "error",
        )
        return redirect(url_for(".customers", **filters.as_args()))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes (and so deletes) it
    try:
        write_xlsx(user.merchant_id, filters, handle)
    except Exception:
        handle.close()
        raise
    handle.seek(0)
    return send_file(
        handle,
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=export_filename(user.merchant, "xlsx"),
        max_age=0,
    )


@bp.get("/customers/export.csv")
@console_reader
@limiter.limit("30 per hour")
@_with_list_filters
def export_csv(user: StaffUser, filters: CustomerFilters) -> Any:
    """The current filtered list as CSV, streamed while it is read."""
    response = Response(
        stream_with_context(stream_csv(user.merchant_id, filters)),
        mimetype="text/csv",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_filename(user.merchant, "csv")}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/customers/export/email")
@console_reader
@limiter.limit("10 per hour")
def export_email() -> Response:
    """Queue the Excel file of the current filters and mail it to the signed-in user."""
    user = current_staff()
    assert user is not None
    args = request.form
    try:
        filters = parse_filters(args)
        queue_export_email(
            user.merchant,
            filters,
            to=user.email,
            actor=staff_actor(user),
            month=args.get("month") or None,
            requester_id=user.id,
        )
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
        return redirect_after_post(url_for(".customers"))
    flash(
        gettext(
            "The Excel file is being prepared and will be sent to %(email)s.", email=user.email
        ),
        "success",
    )
    flash(gettext("Once it is ready you can also download it from Jobs for 24 hours."), "info")
    return redirect_after_post(url_for(".customers", **filters.as_args()))
