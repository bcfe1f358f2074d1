"""One live code challenge per phone and merchant, with its guards in the same row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import CreatedAtMixin, IdMixin, MerchantIdMixin, UTCDateTime
from portal.core.time import utcnow
from portal.extensions import db


class OtpChallenge(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """The current code for one phone in one merchant.

    A new code replaces the old one in place, so the attempt counter and the send log
    that guard it are updated under the same row lock and cannot be raced.
    """

    __tablename__ = "otp_challenges"

    phone: Mapped[str] = mapped_column(String(20), nullable=False)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    purpose: Mapped[str] = mapped_column(String(16), nullable=False, default="confirm")
    code_hash: Mapped[str | None] = mapped_column(String(128))
    token_hash: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A sign-up waiting for its code: the name and email typed (JSON). The customer is
    # created only when the code proves the phone (portal/customers/signup.py).
    pending_signup: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("merchant_id", "phone"),
        # The SMS budget counts the numbers texted in the last hour (portal/otp/budget.py).
        Index("ix_otp_challenges_merchant_sent", "merchant_id", "last_sent_at"),
        Index("ix_otp_challenges_sent", "last_sent_at"),
    )


class OtpSend(IdMixin, db.Model):
    """One code sent: the rolling-hour send limit counts these rows."""

    __tablename__ = "otp_sends"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("otp_challenges.id"), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    __table_args__ = (Index("ix_otp_sends_challenge", "challenge_id", "sent_at"),)
