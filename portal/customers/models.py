"""The customer record (the union of all five documents) and what hangs off it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import (
    CreatedAtMixin,
    CreatedModifiedMixin,
    IdMixin,
    MerchantIdMixin,
    Region,
    UTCDateTime,
)
from portal.core.time import utcnow
from portal.extensions import db
from portal.merchants.models import Merchant, Partner
from portal.staff.models import StaffUser


class RegistrationStatus(StrEnum):
    """Document 003's registration_status values."""

    UNREGISTERED = "0"
    REGISTERED = "1"
    BLOCKED = "4"
    INACTIVE = "T"
    REQUESTED = "R"


class ActiveState(StrEnum):
    """Document 003's is_active values."""

    ACTIVE = "Y"
    NON_ACTIVE = "N"
    REQUESTED = "R"
    STOREFRONT_UNACTIVATED = "T"


class RegisteredBy(StrEnum):
    SELF = "self"
    MERCHANT = "merchant"
    PARTNER = "partner"


def new_public_id() -> str:
    return str(uuid.uuid4())


class Customer(IdMixin, CreatedModifiedMixin, db.Model):
    """A customer of one merchant; the phone number is unique within that merchant."""

    __tablename__ = "customers"

    public_id: Mapped[str] = mapped_column(
        String(36), unique=True, nullable=False, default=new_public_id
    )
    # Not MerchantIdMixin: that would move the column before public_id.
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), nullable=False)

    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(201), nullable=False, default="")

    phone: Mapped[str | None] = mapped_column(String(20))
    unconfirmed_phone: Mapped[str | None] = mapped_column(String(20))
    country_code: Mapped[str | None] = mapped_column(String(2))
    email: Mapped[str | None] = mapped_column(String(255))

    gender: Mapped[str | None] = mapped_column(String(16))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    age: Mapped[int | None] = mapped_column(Integer)
    nationality: Mapped[str | None] = mapped_column(String(2))
    passport_number: Mapped[str | None] = mapped_column(String(32))
    national_id_number: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))

    address: Mapped[str | None] = mapped_column(String(500))
    home_address: Mapped[str | None] = mapped_column(String(500))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    postal_code: Mapped[str | None] = mapped_column(String(10))

    whatsapp: Mapped[str | None] = mapped_column(String(32))
    viber: Mapped[str | None] = mapped_column(String(32))
    imo: Mapped[str | None] = mapped_column(String(32))
    line: Mapped[str | None] = mapped_column(String(64))
    other_contact: Mapped[str | None] = mapped_column(String(200))

    category_code: Mapped[str] = mapped_column(String(16), nullable=False, default="N")
    registration_status: Mapped[str] = mapped_column(
        String(1), nullable=False, default=RegistrationStatus.UNREGISTERED
    )
    active_state: Mapped[str] = mapped_column(
        String(1), nullable=False, default=ActiveState.NON_ACTIVE
    )
    storefront_active: Mapped[bool] = mapped_column(default=False, nullable=False)
    is_loyal: Mapped[bool] = mapped_column(default=False, nullable=False)
    user_type: Mapped[str | None] = mapped_column(String(32))

    external_customer_id: Mapped[int | None] = mapped_column(BigInteger)
    external_customer_code: Mapped[str | None] = mapped_column(String(64))

    registered_by: Mapped[str] = mapped_column(
        String(16), nullable=False, default=RegisteredBy.SELF
    )
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))

    is_otp_verified: Mapped[bool] = mapped_column(default=False, nullable=False)
    # Marketing consent (migration 0024); each change is a ConsentRecord
    # (portal/customers/consent.py). One-time codes never depend on these.
    sms_consent: Mapped[bool] = mapped_column(default=False, server_default=false(), nullable=False)
    email_consent: Mapped[bool] = mapped_column(
        default=False, server_default=false(), nullable=False
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when this record was merged into another (portal/customers/merging.py): the
    # record stays, deleted, as a pointer that sends its old id on to the survivor. A
    # plain id, not a foreign key, so SQLite adds and drops it without copying the table
    # (and losing the counts triggers of migration 0007).
    merged_into_id: Mapped[int | None] = mapped_column(Integer)

    # Bumped to end every session of this customer at once (sign-out, block, delete).
    session_version: Mapped[int] = mapped_column(default=1, nullable=False)
    # Optimistic locking: two tabs saving the same profile cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1, nullable=False)

    merchant: Mapped[Merchant] = relationship(lazy="joined")
    region: Mapped[Region | None] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("merchant_id", "phone"),
        UniqueConstraint("merchant_id", "unconfirmed_phone"),
        Index("ix_customers_merchant_created", "merchant_id", "created_at", "id"),
        # Migration 0007: the JSON API's keyset pages in id order (api/customers_v1.py).
        Index("ix_customers_merchant_id_id", "merchant_id", "id"),
        Index(
            "ix_customers_merchant_category_created",
            "merchant_id",
            "category_code",
            "created_at",
            "id",
        ),
        Index(
            "ix_customers_merchant_status_created",
            "merchant_id",
            "registration_status",
            "created_at",
            "id",
        ),
        Index("ix_customers_merchant_last_order", "merchant_id", "last_order_at", "id"),
        Index("ix_customers_merchant_email", "merchant_id", "email"),
        Index("ix_customers_merchant_name", "merchant_id", "full_name"),
        # Migration 0026: possible duplicates by district and name (customers/duplicates.py).
        Index("ix_customers_merchant_region_name", "merchant_id", "region_id", "full_name"),
        Index("ix_customers_merchant_partner", "merchant_id", "partner_id", "created_at"),
        # Migration 0024: the list's consent filters walk only the customers who agreed.
        *(
            Index(
                f"ix_customers_merchant_{channel}_consent",
                "merchant_id",
                "id",
                postgresql_where=text(f"{channel}_consent"),
                sqlite_where=text(f"{channel}_consent"),
            )
            for channel in ("sms", "email")
        ),
        # Migration 0002 (search): category + status + date filters together, and
        # trigram indexes for substring search on PostgreSQL (plain indexes on SQLite).
        Index(
            "ix_customers_merchant_category_status_created",
            "merchant_id",
            "category_code",
            "registration_status",
            "created_at",
            "id",
        ),
        *(
            Index(
                f"ix_customers_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ("full_name", "email", "address")
        ),
    )

    @property
    def name_initial(self) -> str:
        return (self.full_name or "?")[:1].upper()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_blocked(self) -> bool:
        return self.registration_status == RegistrationStatus.BLOCKED

    @property
    def display_phone(self) -> str | None:
        return self.phone or self.unconfirmed_phone


class Address(IdMixin, db.Model):
    """A billing or shipping address, edited through a short-lived link."""

    __tablename__ = "addresses"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    recipient: Mapped[str | None] = mapped_column(String(200))
    line1: Mapped[str] = mapped_column(String(300), nullable=False)
    line2: Mapped[str | None] = mapped_column(String(300))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    region: Mapped[Region | None] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("customer_id", "kind"),)


class PaymentCard(IdMixin, db.Model):
    """What the card vault keeps: brand, last four digits, expiry. Never number or CVC."""

    __tablename__ = "payment_cards"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id"), unique=True, nullable=False
    )
    brand: Mapped[str] = mapped_column(String(32), nullable=False)
    last4: Mapped[str] = mapped_column(String(4), nullable=False)
    exp_month: Mapped[int] = mapped_column(Integer, nullable=False)
    exp_year: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class Order(IdMixin, MerchantIdMixin, db.Model):
    """An order of a customer, for document 003's order histories."""

    __tablename__ = "orders"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    po_number: Mapped[int] = mapped_column(Integer, nullable=False)
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    total_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    product_status: Mapped[str] = mapped_column(String(4), nullable=False, default="S")
    items_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", order_by="OrderItem.id", lazy="selectin"
    )

    __table_args__ = (
        Index("ix_orders_customer_date", "customer_id", "ordered_at"),
        # A merchant's order system retries: its PO number makes the repeat find the order.
        Index("uq_orders_merchant_po", "merchant_id", "po_number", unique=True),
    )


class OrderItem(IdMixin, db.Model):
    __tablename__ = "order_items"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), nullable=False, index=True)
    product_name: Mapped[str] = mapped_column(String(200), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # The unit price in whole currency units, as sent by the order system (None for
    # orders from before the open API took them).
    price: Mapped[int | None] = mapped_column(BigInteger)

    order: Mapped[Order] = relationship(back_populates="items")


class EditLink(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """A short-lived, single-purpose link (document 001's ephemeral URLs), stored hashed."""

    __tablename__ = "edit_links"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(255))

    customer: Mapped[Customer] = relationship()

    __table_args__ = (Index("ix_edit_links_customer", "customer_id", "purpose"),)


# --- notes and tags (migration 0022) -----------------------------------------------------

TAG_NAME_MAX = 40
# A tag's lower-cased name can be longer than the name itself ("İ" lowers to two characters).
TAG_KEY_MAX = 3 * TAG_NAME_MAX


class Tag(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """A label a merchant puts on customers, created the first time it is used."""

    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(TAG_NAME_MAX), nullable=False)
    # The name lower-cased: "VIP" and "vip" are one tag of the merchant.
    name_key: Mapped[str] = mapped_column(String(TAG_KEY_MAX), nullable=False)

    __table_args__ = (UniqueConstraint("merchant_id", "name_key"),)


class CustomerTag(db.Model):
    """A tag on a customer; indexed both ways: a customer's tags and a tag's customers
    (the list's "Tag" filter is an EXISTS on the second)."""

    __tablename__ = "customer_tags"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    tag: Mapped[Tag] = relationship(lazy="joined")

    __table_args__ = (Index("ix_customer_tags_tag_customer", "tag_id", "customer_id"),)


class CustomerNote(IdMixin, MerchantIdMixin, db.Model):
    """A staff member's note on a customer, shown in the customer's timeline."""

    __tablename__ = "customer_notes"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    author: Mapped[StaffUser] = relationship(lazy="joined")

    __table_args__ = (Index("ix_customer_notes_customer", "customer_id", "created_at"),)


# --- marketing consent (migration 0024) --------------------------------------------------


class ConsentRecord(IdMixin, MerchantIdMixin, CreatedAtMixin, db.Model):
    """One grant or withdrawal of marketing consent: the channel, where it was given, the
    exact sentence shown (in the language shown) and who recorded it. Never changed."""

    __tablename__ = "consent_records"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), nullable=False)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    granted: Mapped[bool] = mapped_column(nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    wording: Mapped[str] = mapped_column(Text, nullable=False)
    actor: Mapped[str] = mapped_column(String(255), nullable=False)

    __table_args__ = (Index("ix_consent_records_customer", "customer_id", "channel", "created_at"),)
