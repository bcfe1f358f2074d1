"""A customer export written by a job: who asked, for which filter, its state and its file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import CreatedAtMixin, IdMixin, MerchantIdMixin, UTCDateTime
from portal.extensions import db


class JobStatus:
    """The states every background job of /merchant/jobs goes through (imports too)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    OPEN = (QUEUED, RUNNING)
    ENDED = (DONE, FAILED, CANCELLED)


class ExportJob(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """One "Email me the Excel file": mailed when written, and kept 24 hours for its
    requester to download from /merchant/jobs."""

    __tablename__ = "export_jobs"

    # The id pages and the API show: random, so it says nothing about other shops' jobs.
    public_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    # The audit handle of who asked (an e-mail, `api-token:ab12`), and the staff user
    # when a person asked: only they may download the file.
    requested_by: Mapped[str] = mapped_column(String(255), nullable=False)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    sent_to: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    month: Mapped[str | None] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=JobStatus.QUEUED)
    total_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The written workbook under the instance folder; emptied when it is removed.
    file_path: Mapped[str | None] = mapped_column(String(1000))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_export_jobs_merchant", "merchant_id", "id"),)

    @property
    def progress(self) -> int:
        """0-100; a finished export is 100 whatever its row count."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.rows_written * 100 // self.total_rows)

    @property
    def finished(self) -> bool:
        return self.status in JobStatus.ENDED
