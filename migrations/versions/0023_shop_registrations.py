"""shop registrations: "Create your shop" sign-ups waiting for their email to be
confirmed (kept as hashes), and when the owner hid the getting-started checklist

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shop_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("shop_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merchant_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_registrations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_shop_registrations_token_hash")),
    )
    with op.batch_alter_table("shop_registrations") as batch:
        batch.create_index("ix_shop_registrations_email", ["email"], unique=False)
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(
            sa.Column("checklist_dismissed_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Shops that exist already are not new: the getting-started checklist stays hidden.
    merchants = sa.table("merchants", sa.column("checklist_dismissed_at", sa.DateTime(timezone=True)))
    op.execute(merchants.update().values(checklist_dismissed_at=sa.func.current_timestamp()))


def downgrade():
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("checklist_dismissed_at")
    with op.batch_alter_table("shop_registrations") as batch:
        batch.drop_index("ix_shop_registrations_email")
    op.drop_table("shop_registrations")
