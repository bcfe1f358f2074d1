"""export jobs: the mailed customer exports, kept 24 hours for /merchant/jobs

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("sent_to", sa.String(length=255), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("rows_written", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.String(length=1000), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_export_jobs_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["staff_users.id"],
            name=op.f("fk_export_jobs_requester_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
        sa.UniqueConstraint("public_id", name=op.f("uq_export_jobs_public_id")),
    )
    with op.batch_alter_table("export_jobs") as batch:
        batch.create_index("ix_export_jobs_merchant", ["merchant_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("export_jobs") as batch:
        batch.drop_index("ix_export_jobs_merchant")
    op.drop_table("export_jobs")
