"""Webhook endpoints a merchant registers and every delivery attempt made to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import CreatedAtMixin, IdMixin, MerchantIdMixin, UTCDateTime
from portal.core.time import utcnow
from portal.extensions import db


class WebhookEndpoint(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(500), nullable=False)
    # The signing secret must be readable to sign with; it is shown once, like a token.
    secret: Mapped[str] = mapped_column(String(128), nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (Index("ix_webhook_endpoints_merchant", "merchant_id"),)


class WebhookDelivery(IdMixin, db.Model):
    """One attempt to deliver one event to one endpoint."""

    __tablename__ = "webhook_deliveries"

    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), nullable=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), nullable=False)
    attempt: Mapped[int] = mapped_column(default=1, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Not CreatedAtMixin: that would move the column after finished_at.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),)

    @property
    def failure_reason(self) -> str | None:
        """The error as pages may show it: one of the generic reasons, never raw text
        (rows written before the reasons existed held exception messages)."""
        from portal.webhooks.egress import CONNECTION_FAILED, REASONS

        if not self.error:
            return None
        if self.error in REASONS or self.error == f"HTTP {self.status_code}":
            return self.error
        return CONNECTION_FAILED
