"""SMS budget: each merchant's destination countries, and indexes to count the numbers
texted in the last hour (portal/otp/budget.py)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(sa.Column("sms_countries", sa.String(length=200), nullable=True))
    op.create_index(
        "ix_otp_challenges_merchant_sent", "otp_challenges", ["merchant_id", "last_sent_at"]
    )
    op.create_index("ix_otp_challenges_sent", "otp_challenges", ["last_sent_at"])


def downgrade():
    op.drop_index("ix_otp_challenges_sent", table_name="otp_challenges")
    op.drop_index("ix_otp_challenges_merchant_sent", table_name="otp_challenges")
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("sms_countries")
