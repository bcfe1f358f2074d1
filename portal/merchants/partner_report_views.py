"""The partner conversion report: a chart of verified registrations per partner with
the table beside it, the daily rows per partner and assistant, and the same as CSV."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import ServiceError
from portal.core.time import utcnow
from portal.core.zones import shop_timezone
from portal.i18n.messages import translated
from portal.merchants.blueprint import bp
from portal.merchants.charts import bar_chart
from portal.merchants.list_forms import PartnerReportForm
from portal.merchants.partner_conversion import partner_conversion, report_csv, report_range
from portal.sessions import current_staff
from portal.staff.access import console_reader


def _report(raw_from: str | None, raw_to: str | None):
    """(report, error, the field in error) for the days asked, in the shop's zone; the
    default range when the asked one is refused."""
    user = current_staff()
    assert user is not None  # console_reader ran first
    merchant = user.merchant
    zone = shop_timezone(merchant.country_code, merchant.time_zone)
    today = utcnow().astimezone(zone).date()
    error = field = None
    try:
        start, end = report_range(raw_from, raw_to, today=today)
    except ServiceError as err:
        refused(err)
        error, field = translated(err), err.field
        start, end = report_range(None, None, today=today)
    return partner_conversion(merchant.id, start, end, zone), error, field


@bp.get("/reports/partners")
@console_reader
def partner_report() -> Response:
    """Registrations by partner and assistant, per day, for up to 92 days."""
    report, error, field = _report(request.args.get("start"), request.args.get("end"))
    chart = bar_chart([(name, row.verified) for name, row in report.partner_rows()])
    html = render_template(
        "merchants/partner_report.html",
        report=report,
        chart=chart,
        range_error=error,
        error_field=field,
        form=PartnerReportForm(request.args),
        csv_args={k: request.args[k] for k in ("start", "end") if request.args.get(k)},
        active_nav="merchants.reports",
    )
    return Response(html, status=422 if error else 200, mimetype="text/html")


@bp.get("/reports/partners.csv")
@console_reader
def partner_report_csv() -> Response:
    report, error, _ = _report(request.args.get("start"), request.args.get("end"))
    if error:
        return Response(error, status=422, mimetype="text/plain")
    response = Response(report_csv(report), mimetype="text/csv")
    name = f"partners-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
