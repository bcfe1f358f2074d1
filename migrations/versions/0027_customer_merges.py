"""customer merges: a merged record keeps pointing at its survivor, and each merge keeps
what it moved and overwrote so that it can be undone for 24 hours

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 20:10:00

A plain ADD COLUMN (no foreign key, no batch copy of `customers`), so the SQLite
triggers of migration 0007 stay in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("customers", sa.Column("merged_into_id", sa.Integer(), nullable=True))
    op.create_table(
        "customer_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_customer_merges_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["customers.id"], name=op.f("fk_customer_merges_survivor_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["customers.id"], name=op.f("fk_customer_merges_merged_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    op.create_index(
        "ix_customer_merges_survivor", "customer_merges", ["survivor_id", "created_at"]
    )
    op.create_index("ix_customer_merges_merged", "customer_merges", ["merged_id"])


def downgrade():
    op.drop_index("ix_customer_merges_merged", table_name="customer_merges")
    op.drop_index("ix_customer_merges_survivor", table_name="customer_merges")
    op.drop_table("customer_merges")
    op.drop_column("customers", "merged_into_id")
