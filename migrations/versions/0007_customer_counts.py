"""customer counts: a summary per merchant, UTC month, category, status and live state,
kept by triggers in the customer's own transaction (portal/customers/summary.py); and the
(merchant, id) index the JSON API's keyset pages walk

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEY = "merchant_id, month, category_code, registration_status, live"
# Columns whose change moves a customer from one count to another.
TRACKED = ("merchant_id", "created_at", "category_code", "registration_status", "deleted_at")

POSTGRES_FUNCTION = f"""
CREATE FUNCTION customer_counts_add(
    m integer, created timestamptz, cat text, st text, is_live boolean, delta integer
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO customer_counts ({KEY}, customers)
    VALUES (m, to_char(created AT TIME ZONE 'UTC', 'YYYY-MM'), cat, st, is_live, delta)
    ON CONFLICT ({KEY})
    DO UPDATE SET customers = customer_counts.customers + EXCLUDED.customers
$$;

CREATE FUNCTION customer_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND
       (OLD.merchant_id, OLD.created_at, OLD.category_code, OLD.registration_status,
        OLD.deleted_at IS NULL)
       IS NOT DISTINCT FROM
       (NEW.merchant_id, NEW.created_at, NEW.category_code, NEW.registration_status,
        NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM customer_counts_add(OLD.merchant_id, OLD.created_at, OLD.category_code,
                                    OLD.registration_status, OLD.deleted_at IS NULL, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM customer_counts_add(NEW.merchant_id, NEW.created_at, NEW.category_code,
                                    NEW.registration_status, NEW.deleted_at IS NULL, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER customer_counts_track
AFTER INSERT OR DELETE OR UPDATE OF {", ".join(TRACKED)} ON customers
FOR EACH ROW EXECUTE FUNCTION customer_counts_track();
"""


def _sqlite_add(row: str, delta: int) -> str:
    month = f"strftime('%Y-%m', {row}.created_at)"
    values = (
        f"{row}.merchant_id, {month}, {row}.category_code, {row}.registration_status, "
        f"{row}.deleted_at IS NULL, {delta}"
    )
    return (
        f"INSERT INTO customer_counts ({KEY}, customers) VALUES ({values}) "
        f"ON CONFLICT ({KEY}) DO UPDATE SET customers = customers + excluded.customers;"
    )


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER customer_counts_insert AFTER INSERT ON customers "
    f"BEGIN {_sqlite_add('NEW', 1)} END",
    f"CREATE TRIGGER customer_counts_delete AFTER DELETE ON customers "
    f"BEGIN {_sqlite_add('OLD', -1)} END",
    f"CREATE TRIGGER customer_counts_update AFTER UPDATE OF {', '.join(TRACKED)} ON customers "
    "WHEN OLD.merchant_id IS NOT NEW.merchant_id OR OLD.created_at IS NOT NEW.created_at "
    "OR OLD.category_code IS NOT NEW.category_code "
    "OR OLD.registration_status IS NOT NEW.registration_status "
    "OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL) "
    f"BEGIN {_sqlite_add('OLD', -1)} {_sqlite_add('NEW', 1)} END",
)


def _backfill(dialect: str) -> str:
    month = (
        "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM')"
        if dialect == "postgresql"
        else "strftime('%Y-%m', created_at)"
    )
    return (
        f"INSERT INTO customer_counts ({KEY}, customers) "
        f"SELECT merchant_id, {month}, category_code, registration_status, "
        "deleted_at IS NULL, count(*) FROM customers "
        "GROUP BY merchant_id, 2, category_code, registration_status, 5"
    )


def upgrade():
    op.create_table(
        "customer_counts",
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=False),
        sa.Column("registration_status", sa.String(length=1), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "merchant_id", "month", "category_code", "registration_status", "live"
        ),
    )
    op.create_index("ix_customers_merchant_id_id", "customers", ["merchant_id", "id"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute(_backfill(dialect))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER customer_counts_track ON customers")
        op.execute("DROP FUNCTION customer_counts_track()")
        op.execute(
            "DROP FUNCTION customer_counts_add(integer, timestamptz, text, text, boolean, integer)"
        )
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER customer_counts_{name}")
    op.drop_index("ix_customers_merchant_id_id", table_name="customers")
    op.drop_table("customer_counts")
