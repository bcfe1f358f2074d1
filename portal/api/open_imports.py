"""The open API's customer import: POST /api/open/customer/import queues a file, GET
/api/open/customer/import/<job_id> answers its state. SYSTEM tokens; the rules are
portal.customers.importing's, as on the console's import page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from portal.api.auth import actor, current_token, per_token, require_token
from portal.api.contract import validate
from portal.api.schemas import imports as shapes
from portal.core.error_codes import CustomerImportError
from portal.core.errors import NotFound, ServiceError
from portal.core.inputs import parse_id
from portal.customers import importing
from portal.customers.import_models import CustomerImport
from portal.staff.models import Permission
from portal.uploads import allow_upload

bp = Blueprint("api_open_imports", __name__, url_prefix="/api/open")
per_token(bp)


allow_upload(bp, "api_open_imports.start_import", importing.MAX_BYTES)


def state(job: CustomerImport) -> dict[str, Any]:
    return {
        "job_id": job.id,
        "status": job.status,
        "progress": job.progress,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "counts": {
            "created": job.created_count,
            "updated": job.updated_count,
            "rejected": job.rejected_count,
        },
    }


@bp.post("/customer/import")
@require_token(Permission.SYSTEM)
@validate({202: shapes.ImportStarted}, form=shapes.ImportUpload)
def start_import() -> tuple[Response, int]:
    """Keep the file, check it can be read, and queue the import job."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ServiceError(CustomerImportError.FILE_REQUIRED, field="file", status=422)
    merchant = current_token().merchant
    _, path = importing.keep_upload(merchant.id, upload)
    try:
        importing.read_file(path)  # an unreadable file is refused now, not in the job
        job = importing.start_import(merchant, path, filename=upload.filename, actor=actor())
    except ServiceError:
        importing.forget_upload(path)
        raise
    return jsonify(job_id=job.id), 202


@bp.get("/customer/import/<job_id>")
@require_token(Permission.SYSTEM)
@validate(shapes.ImportState)
def import_state(job_id: str) -> Response:
    """The job's status, progress and counts; another merchant's job is 404."""
    number = parse_id(job_id)
    if number is None:
        raise NotFound(code=CustomerImportError.NOT_FOUND)
    return jsonify(state(importing.get_import(current_token().merchant_id, number)))
