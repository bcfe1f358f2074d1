"""order PO numbers: unique per merchant (a retried POST /api/open/orders finds its
order), and each item's unit price as the order system sends it

An existing database with two orders of one merchant under the same PO number cannot
take the index: the upgrade stops and names how many, rather than renumbering orders
someone may already quote. Find them with
`SELECT merchant_id, po_number FROM orders GROUP BY 1, 2 HAVING count(*) > 1`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DUPLICATES = (
    "SELECT count(*) FROM (SELECT merchant_id, po_number FROM orders "
    "GROUP BY merchant_id, po_number HAVING count(*) > 1) AS repeated"
)


def upgrade():
    repeated = op.get_bind().execute(sa.text(DUPLICATES)).scalar() or 0
    if repeated:
        raise RuntimeError(
            f"{repeated} PO numbers are used by more than one order of the same merchant; "
            "give those orders distinct po_number values, then upgrade again"
        )
    with op.batch_alter_table("orders") as batch:
        batch.create_index("uq_orders_merchant_po", ["merchant_id", "po_number"], unique=True)
    with op.batch_alter_table("order_items") as batch:
        batch.add_column(sa.Column("price", sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table("order_items") as batch:
        batch.drop_column("price")
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("uq_orders_merchant_po")
