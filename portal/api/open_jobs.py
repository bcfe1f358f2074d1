"""GET /api/open/jobs/<id>: a background job's state, for the token's merchant only.

Imports are named by the id POST /api/open/customer/import answers, exports by their
public id; the rules are portal.merchants.job_list's, as on /merchant/jobs."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from portal.api.auth import current_token, per_token, require_token
from portal.api.contract import validate
from portal.api.schemas import jobs as shapes
from portal.merchants.job_list import find_job, job_state
from portal.staff.models import Permission

bp = Blueprint("api_open_jobs", __name__, url_prefix="/api/open")
per_token(bp)


@bp.get("/jobs/<job_id>")
@require_token(Permission.SYSTEM)
@validate(shapes.JobState)
def job(job_id: str) -> Response:
    """Status and progress, with counts (an import) or rows written (an export); another
    merchant's job is 404."""
    return jsonify(job_state(find_job(current_token().merchant_id, job_id)))
