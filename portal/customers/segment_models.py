"""A segment: a named set of the customer list's filters, shared by a merchant's staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import CreatedAtMixin, IdMixin, MerchantIdMixin, UTCDateTime
from portal.core.time import utcnow
from portal.extensions import db

SEGMENT_NAME_MAX = 80
# A lower-cased name can be longer than the name itself ("İ" lowers to two characters).
SEGMENT_KEY_MAX = 3 * SEGMENT_NAME_MAX


class Segment(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """Saved list filters ("Save these filters"), opened and exported like the list."""

    __tablename__ = "segments"

    name: Mapped[str] = mapped_column(String(SEGMENT_NAME_MAX), nullable=False)
    # The name lower-cased: "VIP buyers" and "vip BUYERS" are one segment of the merchant.
    name_key: Mapped[str] = mapped_column(String(SEGMENT_KEY_MAX), nullable=False)
    # The list's query arguments as JSON (CustomerFilters.as_args: known filter keys only).
    filters: Mapped[str] = mapped_column(Text, nullable=False)
    # The staff member who saved it (kept empty if that account is ever removed).
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    __table_args__ = (UniqueConstraint("merchant_id", "name_key"),)
