"""The customer import through the open API: the upload and the job's state."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from portal.api.schemas.base import Answer


class ImportUpload(BaseModel):
    """multipart/form-data with the CSV or XLSX file in the field `file` (read by the view;
    declared so the OpenAPI document names it)."""

    file: bytes


class ImportStarted(Answer):
    job_id: int


class ImportCounts(Answer):
    created: int
    updated: int
    rejected: int


class ImportState(Answer):
    job_id: int
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: int
    total_rows: int
    processed_rows: int
    counts: ImportCounts
