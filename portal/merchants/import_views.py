"""Importing customers from the console: template, upload and preview, job and its progress.

Owners and SYSTEM staff only. The rules are portal.customers.importing's, shared with the
open API; this module only keeps the uploaded file where the job can read it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from portal.boundary import refused
from portal.core.error_codes import CustomerImportError
from portal.core.errors import NotFound, ServiceError
from portal.customers import importing
from portal.customers.import_models import CustomerImport
from portal.htmx import redirect_after_post, render_page_or_partial
from portal.i18n.messages import translated
from portal.merchants.blueprint import bp
from portal.merchants.customer_forms import ImportFileForm, StartImportForm
from portal.merchants.customer_views import current_actor, signed_in_staff
from portal.staff.access import console_writer
from portal.uploads import allow_upload

allow_upload(bp, "merchants.import_customers", importing.MAX_BYTES)


def upload_path(merchant_id: int, name: str) -> str:
    """The path of an upload this merchant made, else 404 (names are never paths)."""
    path = importing.kept_upload(merchant_id, name or "")
    if path is None:
        abort(404)
    return path


def _load_job(import_id: int) -> CustomerImport:
    try:
        return importing.get_import(signed_in_staff().merchant_id, import_id)
    except NotFound:
        abort(404)


@bp.get("/customers/import/template.csv")
@console_writer
def import_template() -> Response:
    response = Response(importing.template_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="customers-template.csv"'
    return response


@bp.route("/customers/import", methods=["GET", "POST"])
@console_writer
def import_customers() -> Response:
    """GET shows the upload form; POST keeps the file and shows what importing would do."""
    form = ImportFileForm()
    context: dict[str, Any] = {"form": form, "preview": None, "errors": []}
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and form.file.data:
            merchant = signed_in_staff().merchant
            name, path = importing.keep_upload(merchant.id, form.file.data)
            try:
                context["preview"] = importing.preview(merchant, path)
            except ServiceError as err:
                refused(err)
                importing.forget_upload(path)
                context["errors"], status = [translated(err)], 422
            else:
                context["start_form"] = StartImportForm(
                    upload=name, filename=form.file.data.filename or ""
                )
        else:
            status = 422
            if not form.file.data and not form.errors.get("csrf_token"):
                context["errors"] = [translated(ServiceError(CustomerImportError.FILE_REQUIRED))]
    return Response(
        render_template(
            "merchants/import.html",
            max_rows=importing.MAX_ROWS,
            translate_error=translated,
            **context,
        ),
        status=status,
        mimetype="text/html",
    )


@bp.post("/customers/import/start")
@console_writer
def start_import() -> Response:
    """Queue the job for the previewed upload and go to its page."""
    form = StartImportForm()
    if not form.validate_on_submit():
        abort(400)
    merchant = signed_in_staff().merchant
    path = upload_path(merchant.id, form.upload.data or "")
    job = importing.start_import(
        merchant, path, filename=form.filename.data or "", actor=current_actor()
    )
    return redirect_after_post(url_for("merchants.import_job", import_id=job.id))


@bp.get("/customers/import/<int:import_id>")
@console_writer
def import_job(import_id: int) -> Response:
    """The job's progress: the page, or for htmx's polling only its progress partial."""
    job = _load_job(import_id)
    return render_page_or_partial(
        "merchants/import_job.html",
        "merchants/_import_progress.html",
        job=job,
        import_status_label=status_label,
    )


@bp.get("/customers/import/<int:import_id>/rejected.csv")
@console_writer
def import_rejected(import_id: int) -> Response:
    """The rows the job refused, with an `error` column."""
    job = _load_job(import_id)
    if not job.rejected_csv:
        abort(404)
    response = Response(job.rejected_csv, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="import-{job.id}-rejected.csv"'
    return response


def status_label(status: str) -> str:
    labels = {
        "queued": gettext("Waiting to start"),
        "running": gettext("Importing"),
        "done": gettext("Finished"),
        "failed": gettext("Failed"),
        "cancelled": gettext("Cancelled"),
    }
    return labels.get(status, status)
