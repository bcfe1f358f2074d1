"""The merchant's background jobs in one list: customer exports and customer imports.

What /merchant/jobs shows and GET /api/open/jobs/<id> answers. Every query takes the
merchant: a job id of another shop is not found, whatever its number. Imports are named
by their integer id (the one POST /api/open/customer/import answers), exports by their
random public id, so the two never collide in one URL space.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal.core.error_codes import JobError
from portal.core.errors import NotFound
from portal.core.inputs import parse_id
from portal.customers.import_models import CustomerImport
from portal.customers.importing import get_import
from portal.extensions import db
from portal.merchants.export_jobs import filter_summary, get_export, recent_exports
from portal.merchants.export_models import ExportJob, JobStatus

# The page shows the newest jobs of each kind up to this many, then the newest of both.
LIST_LIMIT = 50


@dataclass(frozen=True)
class JobLine:
    """One job as the page lists it."""

    kind: str  # "export" or "import"
    key: str
    requested_by: str
    created_at: datetime
    status: str
    progress: int
    rows: int
    open: bool
    filters: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    counts: dict[str, int] | None = None
    export: ExportJob | None = None


def _export_line(job: ExportJob) -> JobLine:
    return JobLine(
        kind="export",
        key=job.public_id,
        requested_by=job.requested_by,
        created_at=job.created_at,
        status=job.status,
        progress=job.progress,
        rows=job.rows_written,
        open=job.status in JobStatus.OPEN,
        filters=filter_summary(job),
        export=job,
    )


def _import_line(job: CustomerImport) -> JobLine:
    return JobLine(
        kind="import",
        key=str(job.id),
        requested_by=job.created_by,
        created_at=job.created_at,
        status=job.status,
        progress=job.progress,
        rows=job.processed_rows,
        open=job.status in JobStatus.OPEN,
        filename=job.filename,
        counts=import_counts(job),
    )


def import_counts(job: CustomerImport) -> dict[str, int]:
    return {
        "created": job.created_count,
        "updated": job.updated_count,
        "rejected": job.rejected_count,
    }


def recent_imports(merchant_id: int, *, limit: int) -> list[CustomerImport]:
    """The merchant's newest imports, at most `limit`."""
    query = (
        select(CustomerImport)
        .where(CustomerImport.merchant_id == merchant_id)
        .order_by(CustomerImport.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def recent_jobs(merchant_id: int, *, limit: int = LIST_LIMIT) -> list[JobLine]:
    """The merchant's newest exports and imports together, newest first, at most `limit`."""
    lines = [_export_line(job) for job in recent_exports(merchant_id, limit=limit)]
    lines += [_import_line(job) for job in recent_imports(merchant_id, limit=limit)]
    lines.sort(key=lambda line: (line.created_at, line.kind, line.key), reverse=True)
    return lines[:limit]


def find_job(merchant_id: int, job_id: str) -> ExportJob | CustomerImport:
    """A job of this merchant by the id the API names: an import's number or an
    export's public id; NotFound for anything else, another merchant's job included."""
    number = parse_id(job_id) if job_id.isdigit() else None
    try:
        if number is not None:
            return get_import(merchant_id, number)
        return get_export(merchant_id, job_id)
    except NotFound:
        raise NotFound(code=JobError.NOT_FOUND) from None


def job_state(job: ExportJob | CustomerImport) -> dict[str, Any]:
    """The API's answer: status and progress, with counts (imports) or rows (exports)."""
    state: dict[str, Any] = {"status": job.status, "progress": job.progress}
    if isinstance(job, CustomerImport):
        return state | {"kind": "import", "counts": import_counts(job)}
    return state | {"kind": "export", "rows": job.rows_written}
