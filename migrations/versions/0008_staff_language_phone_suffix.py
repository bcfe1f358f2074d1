"""staff language and phone suffix: the language a staff member chose in the console,
kept on their account; and PostgreSQL indexes on the phone numbers read backwards, so a
customer is found by the last digits of their number (portal/customers/phone_suffix.py)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# portal/customers/phone_suffix.py INDEXES, spelled out: a migration keeps its names.
SUFFIX_INDEXES = {
    "phone": "ix_customers_merchant_phone_reversed",
    "unconfirmed_phone": "ix_customers_merchant_unconfirmed_phone_reversed",
}


def upgrade():
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, name in SUFFIX_INDEXES.items():
        # text_pattern_ops: a LIKE 'digits%' is a range whatever the collation.
        op.execute(
            f"CREATE INDEX {name} ON customers (merchant_id, reverse({column}) text_pattern_ops)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in SUFFIX_INDEXES.values():
            op.execute(f"DROP INDEX {name}")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("language")
