"""/merchant/jobs: the merchant's exports and imports, their download links and cancelling.

Any console reader sees the list; an export's file is offered only to the staff member
who asked for it (a signed link, kept 24 hours). An export can be cancelled by whoever
asked for it and by owners and SYSTEM staff, an import by owners and SYSTEM staff (those
who can start one), each after a confirmation page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, render_template, send_file, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.errors import NotFound, ServiceError
from portal.core.zones import shop_clock
from portal.customers import importing
from portal.customers.import_models import CustomerImport
from portal.customers.status import status_label as customer_status_label
from portal.extensions import limiter
from portal.htmx import redirect_after_post, render_page_or_partial
from portal.i18n.messages import translated
from portal.merchants import export_jobs
from portal.merchants.blueprint import bp
from portal.merchants.category_cache import list_category_choices
from portal.merchants.customer_views import signed_in_staff
from portal.merchants.export import XLSX_MIME, export_filename
from portal.merchants.export_models import ExportJob
from portal.merchants.job_list import JobLine, recent_jobs
from portal.merchants.list_forms import category_label
from portal.staff.access import console_reader, staff_actor
from portal.staff.models import StaffUser


def status_label(status: str) -> str:
    labels = {
        "queued": gettext("Waiting to start"),
        "running": gettext("Running"),
        "done": gettext("Finished"),
        "failed": gettext("Failed"),
        "cancelled": gettext("Cancelled"),
    }
    return labels.get(status, status)


def _filter_labeller(merchant_id: int) -> Callable[[str, str], str]:
    """An export's filter value for people: category and status codes as their labels."""
    names = dict(list_category_choices(merchant_id))

    def label(name: str, value: str) -> str:
        if name == "category":
            return category_label(value, names.get(value, value))
        if name == "status":
            return gettext(customer_status_label(value))
        return value

    return label


def _download_url(user: StaffUser, line: JobLine) -> str | None:
    job = line.export
    if job is None or not export_jobs.downloadable(job, user.id):
        return None
    token = export_jobs.download_token(job, user.id)
    return url_for("merchants.job_download", token=token)


def _may_cancel_export(user: StaffUser, job: ExportJob) -> bool:
    return user.can_write or job.requester_id == user.id


def _may_cancel(user: StaffUser, line: JobLine) -> bool:
    if not line.open:
        return False
    if line.export is not None:
        return _may_cancel_export(user, line.export)
    return user.can_write


@bp.get("/jobs")
@console_reader
def jobs() -> Response:
    """The newest exports and imports; htmx polls the rows while one is still open."""
    user = signed_in_staff()
    merchant = user.merchant
    lines = recent_jobs(merchant.id)
    return render_page_or_partial(
        "merchants/jobs.html",
        "merchants/_job_rows.html",
        lines=lines,
        polling=any(line.open for line in lines),
        clock=shop_clock(merchant.country_code, merchant.time_zone),
        job_status_label=status_label,
        download_url=lambda line: _download_url(user, line),
        may_cancel=lambda line: _may_cancel(user, line),
        can_write=user.can_write,
        filter_value=_filter_labeller(merchant.id),
        current="merchants.jobs",
    )


def _export_to_cancel(user: StaffUser, public_id: str) -> ExportJob:
    try:
        job = export_jobs.get_export(user.merchant_id, public_id)
    except NotFound:
        abort(404)
    if not _may_cancel_export(user, job):
        abort(403)
    return job


def _import_to_cancel(user: StaffUser, import_id: int) -> CustomerImport:
    try:
        job = importing.get_import(user.merchant_id, import_id)
    except NotFound:
        abort(404)
    if not user.can_write:
        abort(403)
    return job


def _cancelled(cancel: Callable[..., None], job: object, user: StaffUser) -> Response:
    """Run the cancel; an ended job is said on the list (the boundary keeps nothing)."""
    try:
        cancel(job, actor=staff_actor(user))
    except ServiceError as err:
        refused(err)
        flash(translated(err), "error")
    else:
        flash(gettext("The job was cancelled."), "success")
    return redirect_after_post(url_for("merchants.jobs"))


@bp.get("/jobs/exports/<public_id>/cancel")
@console_reader
def export_cancel_confirm(public_id: str) -> str:
    job = _export_to_cancel(signed_in_staff(), public_id)
    action = url_for("merchants.export_cancel", public_id=job.public_id)
    return render_template("merchants/job_cancel.html", kind="export", action=action)


@bp.post("/jobs/exports/<public_id>/cancel")
@console_reader
def export_cancel(public_id: str) -> Response:
    user = signed_in_staff()
    return _cancelled(export_jobs.cancel_export, _export_to_cancel(user, public_id), user)


@bp.get("/jobs/imports/<int:import_id>/cancel")
@console_reader
def import_cancel_confirm(import_id: int) -> str:
    job = _import_to_cancel(signed_in_staff(), import_id)
    action = url_for("merchants.import_cancel", import_id=job.id)
    return render_template(
        "merchants/job_cancel.html", kind="import", action=action, filename=job.filename
    )


@bp.post("/jobs/imports/<int:import_id>/cancel")
@console_reader
def import_cancel(import_id: int) -> Response:
    user = signed_in_staff()
    return _cancelled(importing.cancel_import, _import_to_cancel(user, import_id), user)


@bp.get("/jobs/download/<token>")
@console_reader
@limiter.limit("60 per hour")
def job_download(token: str) -> Response:
    """The export's workbook for the staff member it was made for; anyone else, a
    changed or an expired link: 404."""
    user = signed_in_staff()
    try:
        job = export_jobs.export_for_download(
            user.merchant_id, user.id, token, actor=staff_actor(user)
        )
    except NotFound:
        abort(404)
    return send_file(
        job.file_path or "",
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=export_filename(user.merchant, "xlsx"),
        max_age=0,
    )
