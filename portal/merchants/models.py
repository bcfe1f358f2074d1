"""Tenants (merchants), their retail outlets (partners) and custom customer categories."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.errors import N_
from portal.core.models import CreatedAtMixin, IdMixin, MerchantIdMixin, UTCDateTime
from portal.extensions import db

# Document 003's built-in categories; custom ones live in the categories table.
# Document 003's built-in categories; pages show the names translated (category_label).
BUILTIN_CATEGORIES: dict[str, str] = {
    "N": N_("Customer"),
    "Y": N_("Reseller"),
    "D": N_("Dropshipper"),
}


class Merchant(IdMixin, CreatedAtMixin, db.Model):
    """A tenant: every customer, partner, token and user belongs to exactly one."""

    __tablename__ = "merchants"

    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), nullable=False, default="BD")
    email: Mapped[str | None] = mapped_column(String(255))
    default_language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    # Countries (ISO, comma-separated) codes may be texted to; empty: the shop's country.
    sms_countries: Mapped[str | None] = mapped_column(String(200))
    # The IANA zone its times are shown in (migration 0011); empty: its country's zone.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Every member signs in with a second factor (migration 0019). Only a server default:
    # inserts written for older schemas (migration tests) must not name the column.
    require_two_factor: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=false()
    )
    # When the owner hid the console's getting-started checklist (migration 0023).
    checklist_dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Partner(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """A retail outlet of a merchant (document 000's partner_id / registerable)."""

    __tablename__ = "partners"

    name: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (UniqueConstraint("merchant_id", "name"),)


class Category(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """A custom customer category of one merchant, beside the built-in N, Y and D."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)

    __table_args__ = (UniqueConstraint("merchant_id", "code"),)
