"""merchant time zone: the IANA zone the owner chose for the shop's times (empty: the
country's zone, portal/core/zones.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("time_zone")
