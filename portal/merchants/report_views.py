"""Reports: new customers per month."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_babel import format_date
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.i18n.messages import translated
from portal.merchants.blueprint import bp
from portal.merchants.categories import category_choices
from portal.merchants.charts import bar_chart
from portal.merchants.list_forms import labelled_categories
from portal.merchants.reports import customers_per_month
from portal.sessions import current_staff
from portal.staff.access import console_reader


def month_label(key: str) -> str:
    """'2026-03' as a short localised month name with year, e.g. 'Mar 2026'."""
    year, month = (int(part) for part in key.split("-"))
    return format_date(date(year, month, 1), "MMM yyyy")


@bp.get("/reports")
@console_reader
def reports() -> Response:
    """New customers per month for the last 12 months, as an SVG chart and a table."""
    user = current_staff()
    assert user is not None  # console_reader ran first
    categories = labelled_categories(category_choices(user.merchant_id))
    category = (request.args.get("category") or "").strip() or None
    error = None
    try:
        rows = customers_per_month(user.merchant_id, category=category)
    except ServiceError as err:
        refused(err)
        error = translated(err)
        category = None
        rows = customers_per_month(user.merchant_id)
    # The chart reads in the table's order (newest month first).
    chart = bar_chart([(month_label(key), count) for key, count in rows])
    html = render_template(
        "merchants/reports.html",
        rows=rows,
        chart=chart,
        month_label=month_label,
        categories=categories,
        category=category,
        category_error=error,
        total=sum(count for _, count in rows),
        active_nav="merchants.reports",
    )
    return Response(html, status=422 if error else 200, mimetype="text/html")
