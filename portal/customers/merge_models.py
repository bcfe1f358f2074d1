"""A merge of two records of one person: what it changed, so that it can be undone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import CreatedAtMixin, IdMixin, MerchantIdMixin, UTCDateTime
from portal.extensions import db


class CustomerMerge(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """One merge: the surviving record, the one merged into it (now a pointer), who did
    it, and `record`, everything the merge moved or overwrote (row ids per table, the
    survivor's values before, the pointer's identity keys), which undo puts back."""

    __tablename__ = "customer_merges"

    survivor_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    actor: Mapped[str] = mapped_column(String(255), nullable=False)
    record: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        # The customer page asks "which merges into this record can still be undone?"
        Index("ix_customer_merges_survivor", "survivor_id", "created_at"),
        Index("ix_customer_merges_merged", "merged_id"),
    )
