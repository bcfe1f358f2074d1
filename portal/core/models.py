"""Model mixins and the cross-domain records: regions, audit entries and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from portal.core.time import as_utc, utcnow
from portal.extensions import db


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return as_utc(value)


# Columns that many tables declare alike, written once. A mixin's columns would follow the
# model's own ones; sort_order keeps the key, the merchant and the customer first, where
# the migrations put them, so every table is created exactly as before.


class IdMixin:
    """The integer primary key, `id`, first in the table."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-3)


class MerchantIdMixin:
    """The merchant a row belongs to: required, since every tenant-scoped query filters on it."""

    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id"), nullable=False, sort_order=-2
    )


class CreatedAtMixin:
    """When the row was written (UTC), after the model's own columns."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class HistoryMixin(IdMixin, MerchantIdMixin, CreatedAtMixin):
    """A line of a merchant's history, about one customer or none (audit entries, events)."""

    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), sort_order=-1)


class CreatedModifiedMixin:
    """Audit columns of document 004: who created and last modified a record, and when."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(255))
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), onupdate=utcnow)
    modified_by: Mapped[str | None] = mapped_column(String(255))


class Region(IdMixin, db.Model):
    """A district with its city and province (document 003's district_id)."""

    __tablename__ = "regions"

    province: Mapped[str] = mapped_column(String(120), nullable=False)
    city: Mapped[str] = mapped_column(String(120), nullable=False)
    district: Mapped[str] = mapped_column(String(120), nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), nullable=False, default="ID")
    postal_prefix: Mapped[str | None] = mapped_column(String(10))

    __table_args__ = (Index("ix_regions_district", "district"),)

    @property
    def label(self) -> str:
        return f"{self.district}, {self.city}, {self.province}"


class AuditEntry(HistoryMixin, db.Model):
    """Who changed what, when: one row per change to a customer or a setting."""

    __tablename__ = "audit_entries"

    actor: Mapped[str] = mapped_column(String(255), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_audit_entries_customer", "customer_id", "created_at"),
        Index("ix_audit_entries_merchant", "merchant_id", "created_at"),
    )


class Event(HistoryMixin, db.Model):
    """Domain events such as document 001's `verification`; webhooks deliver them."""

    __tablename__ = "events"

    type: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_events_merchant", "merchant_id", "created_at"),
        Index("ix_events_customer", "customer_id", "created_at"),
    )
