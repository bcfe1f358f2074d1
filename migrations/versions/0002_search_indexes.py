"""search indexes: trigram indexes for substring search, a combined filter index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:25:00

On PostgreSQL the pg_trgm extension lets `ILIKE '%term%'` on name, email and address use
GIN indexes. SQLite has no trigram indexes; it gets plain indexes of the same names (so
models and migrations agree) and the search reads rows in list order, stopping early.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TRIGRAM_COLUMNS = ("full_name", "email", "address")


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        if postgres:
            op.create_index(
                f"ix_customers_{column}_trgm",
                "customers",
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
        else:
            op.create_index(f"ix_customers_{column}_trgm", "customers", [column])
    op.create_index(
        "ix_customers_merchant_category_status_created",
        "customers",
        ["merchant_id", "category_code", "registration_status", "created_at", "id"],
    )


def downgrade():
    op.drop_index("ix_customers_merchant_category_status_created", table_name="customers")
    for column in TRIGRAM_COLUMNS:
        op.drop_index(f"ix_customers_{column}_trgm", table_name="customers")
