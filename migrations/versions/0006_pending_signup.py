"""pending sign-up: the name and email of a sign-up wait with its code, and the customer
is created only when the code proves the phone (portal/customers/signup.py)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("otp_challenges") as batch:
        batch.add_column(sa.Column("pending_signup", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("otp_challenges") as batch:
        batch.drop_column("pending_signup")
