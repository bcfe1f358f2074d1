"""A background job's state through the open API (imports and exports)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, RootModel

from portal.api.schemas.base import Answer
from portal.api.schemas.imports import ImportCounts

Status = Literal["queued", "running", "done", "failed", "cancelled"]


class ImportJobState(Answer):
    kind: Literal["import"]
    status: Status
    progress: int = Field(ge=0, le=100)
    counts: ImportCounts


class ExportJobState(Answer):
    kind: Literal["export"]
    status: Status
    progress: int = Field(ge=0, le=100)
    rows: int


class JobState(RootModel[ImportJobState | ExportJobState]):
    """An import's state (`kind` "import", with counts) or an export's (with rows)."""
