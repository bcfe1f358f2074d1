"""staff password resets: the "Forgot password?" links, kept only as keyed hashes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_password_resets_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_password_resets_token_hash")),
    )
    with op.batch_alter_table("staff_password_resets") as batch:
        batch.create_index("ix_staff_password_resets_staff_user", ["staff_user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("staff_password_resets") as batch:
        batch.drop_index("ix_staff_password_resets_staff_user")
    op.drop_table("staff_password_resets")
