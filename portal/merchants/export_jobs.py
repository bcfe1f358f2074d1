"""Export jobs: "Email me the Excel file" recorded, written, mailed, and kept 24 hours.

Why a record: a long export was a promise by email with nothing to watch. The record
says who asked, for which filter, how far the job is and how it ended, and keeps the
written workbook under the instance folder for a day, for its requester only: the
download link is signed (itsdangerous, with its time) and names the export and the staff
user it was made for, so a forwarded link opens nothing for anyone else.

State changes are conditional UPDATEs (queued -> running -> done, open -> cancelled), so
a cancel and the job racing each other never overwrite one another. Functions only
flush; the job commits through the boundary's checkpoint().
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update

from portal.core.audit import record_audit
from portal.core.error_codes import JobError
from portal.core.errors import NotFound, ServiceError
from portal.core.mail import send_mail
from portal.core.time import as_utc, utcnow
from portal.customers.search import CustomerFilters, count_customers, parse_filters
from portal.extensions import db
from portal.jobs.after_commit import enqueue_after_commit
from portal.merchants.export import (
    XLSX_MIME,
    export_filename,
    export_rows,
    filters_to_args,
    month_filters,
    write_xlsx,
)
from portal.merchants.export_models import ExportJob, JobStatus
from portal.merchants.models import Merchant

KEEP_FOR = timedelta(hours=24)
# Rows between two progress writes (and cancel checks) of a running export.
PROGRESS_EVERY = 1000
COUNT_CAP = 10_000_000
DOWNLOAD_SALT = "export-download"
PUBLIC_ID_LENGTH = 32


class ExportCancelled(Exception):
    """Raised inside a running export once someone cancelled it."""


def record_export(
    merchant: Merchant,
    args: dict[str, str],
    *,
    to: str,
    actor: str,
    requester_id: int | None,
    month: str | None,
) -> ExportJob:
    """Record the export and queue its job for when this transaction commits."""
    job = ExportJob(
        merchant_id=merchant.id,
        public_id=uuid.uuid4().hex,
        requested_by=actor[:255],
        requester_id=requester_id,
        sent_to=to[:255],
        filters=args,
        month=month,
    )
    db.session.add(job)
    db.session.flush()
    enqueue_after_commit(export_job, job.id)
    return job


def queue_export_email(
    merchant: Merchant,
    filters: CustomerFilters,
    *,
    to: str,
    actor: str,
    month: str | None = None,
    requester_id: int | None = None,
) -> ExportJob:
    """Build and mail the export in the background: large lists take minutes to write.

    The export is recorded (the ExportJob below): /merchant/jobs shows it, and
    `requester_id`, the staff user who asked, may download the file for 24 hours. The
    job starts once the request commits, so no file goes out for a rolled-back request.
    """
    month_filters(filters, month)  # refuse a bad month now, not in the job
    if not to:
        raise ServiceError("email_required", "There is no email address to send to.", field="to")
    args = filters_to_args(filters)
    job = record_export(merchant, args, to=to, actor=actor, requester_id=requester_id, month=month)
    record_audit(
        merchant_id=merchant.id,
        actor=actor,
        action="customers.export_emailed",
        changes={"filters": args, "to": to, "month": month, "export_id": job.public_id},
    )
    return job


def get_export(merchant_id: int, public_id: str) -> ExportJob:
    """The merchant's export by its public id, else NotFound (another shop's id too)."""
    job = None
    if len(public_id) == PUBLIC_ID_LENGTH and public_id.isalnum():
        job = db.session.scalar(
            select(ExportJob).where(
                ExportJob.merchant_id == merchant_id, ExportJob.public_id == public_id
            )
        )
    if job is None:
        raise NotFound(code=JobError.NOT_FOUND)
    return job


def recent_exports(merchant_id: int, *, limit: int) -> list[ExportJob]:
    """The merchant's newest exports, at most `limit`."""
    query = (
        select(ExportJob)
        .where(ExportJob.merchant_id == merchant_id)
        .order_by(ExportJob.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def filter_summary(job: ExportJob) -> dict[str, str]:
    """The export's filters as the list's query arguments, with its month."""
    summary = {k: str(v) for k, v in (job.filters or {}).items() if v not in (None, "")}
    if "keyword" not in summary:
        summary.pop("search_in", None)
    if summary.get("order_by") == "LATEST_CUSTOMER":
        summary.pop("order_by")
    if job.month:
        summary["month"] = job.month
    return summary


# --- cancelling ---------------------------------------------------------------------------


def cancel_export(job: ExportJob, *, actor: str) -> None:
    """Cancel a queued or running export; the job stops at its next check. Audited."""
    ended = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job.id, ExportJob.status.in_(JobStatus.OPEN))
        .values(status=JobStatus.CANCELLED, finished_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if ended.rowcount != 1:
        raise ServiceError(JobError.NOT_CANCELLABLE, status=409)
    record_audit(
        job.merchant_id,
        actor=actor,
        action="customers.export_cancelled",
        changes={"export_id": job.public_id},
    )


# --- the job ------------------------------------------------------------------------------


def export_folder() -> str:
    """Written exports wait in the instance folder (shared by the host's workers), or in
    EXPORT_FOLDER when the app is given one (tests give each app its own)."""
    folder = current_app.config.get("EXPORT_FOLDER") or os.path.join(
        current_app.instance_path, "exports"
    )
    os.makedirs(folder, exist_ok=True)
    return folder


def _move(job_id: int, before: tuple[str, ...], **values: Any) -> bool:
    """Set `values` only if the export is still in one of the `before` states."""
    moved = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status.in_(before))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def _still_running(job_id: int) -> bool:
    status = db.session.scalar(select(ExportJob.status).where(ExportJob.id == job_id))
    return status == JobStatus.RUNNING


def _checked_rows(job_id: int, merchant_id: int, filters: CustomerFilters) -> Iterator[tuple]:
    """The export's rows; every PROGRESS_EVERY rows the progress is committed and a
    cancel stops the job."""
    from portal.boundary import checkpoint

    for count, cells in enumerate(export_rows(merchant_id, filters), start=1):
        if count % PROGRESS_EVERY == 0:
            if not _still_running(job_id):
                raise ExportCancelled
            _move(job_id, (JobStatus.RUNNING,), rows_written=count)
            checkpoint()
        yield cells


def _mail(job: ExportJob, merchant: Merchant, path: str, count: int) -> None:
    with open(path, "rb") as handle:
        data = handle.read()
    send_mail(
        job.sent_to,
        f"{merchant.name}: customer export",
        f"Attached are the {count} customers of {merchant.name} you asked for.",
        attachments=[(export_filename(merchant, "xlsx"), XLSX_MIME, data)],
    )


def _remove(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


def export_job(export_id: int) -> None:
    """Job body: write the workbook, mail it, keep it 24 hours; stop when cancelled."""
    from portal.boundary import checkpoint, discard

    job = db.session.get(ExportJob, export_id)
    if job is None or not _move(export_id, (JobStatus.QUEUED,), status=JobStatus.RUNNING):
        return
    checkpoint()  # running, and no lock held while counting: a cancel can come in now
    merchant = db.session.get(Merchant, job.merchant_id)
    assert merchant is not None  # the foreign key keeps it
    path = os.path.join(export_folder(), f"{job.merchant_id}-{job.public_id}.xlsx")
    try:
        filters = month_filters(parse_filters(job.filters), job.month)
        total = count_customers(merchant.id, filters, cap=COUNT_CAP)
        _move(export_id, (JobStatus.RUNNING,), total_rows=total)
        checkpoint()
        checked = lambda m, f: _checked_rows(export_id, m, f)  # noqa: E731 - one use, here
        count = write_xlsx(merchant.id, filters, path, rows=checked)
        if not _still_running(export_id):
            raise ExportCancelled
        _mail(job, merchant, path, count)
        _finish(export_id, path, count)
    except ExportCancelled:
        discard()
        _remove(path)
    except Exception:
        discard()
        _move(export_id, JobStatus.OPEN, status=JobStatus.FAILED, finished_at=utcnow())
        _remove(path)
        checkpoint()
        raise


def _finish(export_id: int, path: str, count: int) -> None:
    now = utcnow()
    done = _move(
        export_id,
        (JobStatus.RUNNING,),
        status=JobStatus.DONE,
        rows_written=count,
        file_path=path,
        finished_at=now,
        expires_at=now + KEEP_FOR,
    )
    if not done:  # cancelled while the mail went out: keep no file
        _remove(path)


def prune_exports(now: datetime | None = None) -> int:
    """Remove the files of exports past their 24 hours (run from cron); returns how many."""
    moment = now or utcnow()
    query = select(ExportJob).where(
        ExportJob.file_path.is_not(None), ExportJob.expires_at <= moment
    )
    count = 0
    for job in db.session.scalars(query).all():
        _remove(job.file_path or "")
        job.file_path = None
        count += 1
    db.session.flush()
    return count


# --- the download link --------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DOWNLOAD_SALT)


def download_token(job: ExportJob, staff_id: int) -> str:
    """A link token for `staff_id` to download `job`, valid KEEP_FOR from now."""
    return str(_serializer().dumps([job.public_id, staff_id]))


def downloadable(job: ExportJob, staff_id: int, now: datetime | None = None) -> bool:
    """Whether the export's file is there for this staff user (its requester) now."""
    moment = now or utcnow()
    return (
        job.status == JobStatus.DONE
        and job.requester_id == staff_id
        and bool(job.file_path)
        and job.expires_at is not None
        and as_utc(job.expires_at) > moment
        and os.path.exists(job.file_path or "")
    )


def export_for_download(merchant_id: int, staff_id: int, token: str, *, actor: str) -> ExportJob:
    """The export a signed link names, for its requester while it is kept; else NotFound
    (a tampered, expired or forwarded link, another shop's export). Audited."""
    try:
        public_id, owner = _serializer().loads(token, max_age=int(KEEP_FOR.total_seconds()))
    except (BadSignature, ValueError, TypeError):
        raise NotFound(code=JobError.NOT_FOUND) from None
    if owner != staff_id or not isinstance(public_id, str):
        raise NotFound(code=JobError.NOT_FOUND)
    job = get_export(merchant_id, public_id)
    if not downloadable(job, staff_id):
        raise NotFound(code=JobError.NOT_FOUND)
    record_audit(
        merchant_id,
        actor=actor,
        action="customers.export_downloaded",
        changes={"export_id": job.public_id},
    )
    return job
