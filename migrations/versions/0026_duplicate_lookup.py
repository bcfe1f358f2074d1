"""duplicate lookup: customers by district and name, so "Possible duplicates" on the
customer page (portal/customers/duplicates.py) reads an index range, not the merchant

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 17:00:00
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

INDEX = "ix_customers_merchant_region_name"


def upgrade():
    op.create_index(INDEX, "customers", ["merchant_id", "region_id", "full_name"])


def downgrade():
    op.drop_index(INDEX, table_name="customers")
