"""Shops waiting for their owner to confirm the email ("Create your shop", /register)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import UTCDateTime
from portal.core.time import utcnow
from portal.extensions import db


class ShopRegistration(db.Model):
    """A sign-up whose email is not confirmed yet: the merchant and its owner are created
    only when the mailed link is used (portal/staff/registration.py), so an unconfirmed
    address owns nothing. The link is kept only as its keyed hash, and the password only
    as its slow hash."""

    __tablename__ = "shop_registrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    shop_name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The shop its confirmation created (no foreign key: the row is history once used).
    merchant_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_shop_registrations_email", "email"),)
