"""Staff users of a merchant, the API tokens integrations use, password resets and
two-factor sign-in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime
from portal.core.time import utcnow
from portal.extensions import db
from portal.merchants.models import Merchant, Partner


class Role(StrEnum):
    OWNER = "owner"
    STAFF = "staff"
    ASSISTANT = "assistant"


class Permission(StrEnum):
    """Document 004's two levels: OVERVIEW reads, SYSTEM also writes."""

    OVERVIEW = "OVERVIEW"
    SYSTEM = "SYSTEM"


class StaffUser(db.Model):
    """Someone who signs in at /login: a merchant owner, staff member or shop assistant."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), nullable=False)
    email: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default=Role.STAFF)
    permission: Mapped[str | None] = mapped_column(String(16))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)
    failed_logins: Mapped[int] = mapped_column(default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_version: Mapped[int] = mapped_column(default=1, nullable=False)
    # The console language they chose (migration 0008), so it follows them to any device.
    language: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    merchant: Mapped[Merchant] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")

    @property
    def can_write(self) -> bool:
        return self.role == Role.OWNER or (
            self.role == Role.STAFF and self.permission == Permission.SYSTEM
        )

    @property
    def can_read_console(self) -> bool:
        return self.role in (Role.OWNER, Role.STAFF)

    @property
    def is_assistant(self) -> bool:
        return self.role == Role.ASSISTANT and self.partner_id is not None


class ApiToken(db.Model):
    """A bearer token for the JSON API, stored only as a hash with a visible prefix."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), nullable=False)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    name: Mapped[str | None] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    permission: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    merchant: Mapped[Merchant] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_api_tokens_merchant", "merchant_id"),)


class StaffPasswordReset(db.Model):
    """A "Forgot password?" link: single use, short-lived, and only its keyed hash is kept
    (portal/staff/password_reset.py), so a copy of the table opens no account."""

    __tablename__ = "staff_password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    staff_user: Mapped[StaffUser] = relationship(lazy="joined")

    __table_args__ = (Index("ix_staff_password_resets_staff_user", "staff_user_id"),)


class StaffTwoFactor(db.Model):
    """A staff member's authenticator app (portal/staff/two_factor.py). The key is kept
    sealed (portal/core/sealing.py) and shown only while `enabled_at` is empty (setup)."""

    __tablename__ = "staff_two_factor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id"), unique=True, nullable=False
    )
    sealed_key: Mapped[str] = mapped_column(String(255), nullable=False)
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The newest 30-second step a code was accepted for: a code is never taken twice.
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    failed_codes: Mapped[int] = mapped_column(default=0, nullable=False)
    # Pending sign-ins started before this time are over (too many wrong codes).
    codes_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class StaffRecoveryCode(db.Model):
    """One of the ten recovery codes shown once at switch-on: only its keyed hash, used once."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_staff_recovery_codes_staff_user", "staff_user_id"),)


class StaffInvitation(db.Model):
    """An owner's invitation to join the team (portal/staff/invitations.py): the role the
    invitee will get and the mailed link, kept only as its keyed hash. Sending it again
    replaces the hash, so the older link stops working."""

    __tablename__ = "staff_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), nullable=False)
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    permission: Mapped[str | None] = mapped_column(String(16))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    invited_by: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    merchant: Mapped[Merchant] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_staff_invitations_merchant", "merchant_id"),)
