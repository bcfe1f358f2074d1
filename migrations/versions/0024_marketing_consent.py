"""marketing consent: whether each customer agreed to offers by SMS and by email, and
every grant or withdrawal with its time, source and the wording shown

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 16:50:00

Plain ADD COLUMN and CREATE TABLE (no batch copy of `customers`), so the SQLite triggers
of migration 0007 stay in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

CHANNELS = ("sms", "email")


def upgrade():
    for channel in CHANNELS:
        op.add_column(
            "customers",
            sa.Column(
                f"{channel}_consent", sa.Boolean(), nullable=False, server_default=sa.false()
            ),
        )
        # The list's "consent: yes" filter walks only the customers who agreed.
        op.create_index(
            f"ix_customers_merchant_{channel}_consent",
            "customers",
            ["merchant_id", "id"],
            postgresql_where=sa.text(f"{channel}_consent"),
            sqlite_where=sa.text(f"{channel}_consent"),
        )
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_consent_records_merchant_id_merchants"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_consent_records_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(
        "ix_consent_records_customer",
        "consent_records",
        ["customer_id", "channel", "created_at"],
    )


def downgrade():
    op.drop_index("ix_consent_records_customer", table_name="consent_records")
    op.drop_table("consent_records")
    for channel in CHANNELS:
        op.drop_index(f"ix_customers_merchant_{channel}_consent", table_name="customers")
    # Plain DROP COLUMN (SQLite 3.35+), not a batch copy that would lose 0007's triggers.
    for channel in CHANNELS:
        op.drop_column("customers", f"{channel}_consent")
