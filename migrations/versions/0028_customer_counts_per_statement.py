"""customer counts per statement: new customers are added to the summary once per INSERT
(or COPY), grouped, instead of once per row (PostgreSQL)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 23:20:00

Why: migration 0007's row trigger updated the same summary row once for every customer
written. Inside one transaction each of those updates leaves a row version that the
next one has to step over, so a batch's cost grew with the square of its size: an
import batch of 500 customers spent most of its COPY there, and 16,000 customers in one
INSERT took 11.8 s with the trigger against 1.9 s without it. The INSERT trigger is now
a statement trigger that reads the statement's new rows as a transition table and adds
one grouped count per summary row, taking the rows' locks in key order. Updates and
deletes keep the row trigger (PostgreSQL allows no transition table on an UPDATE OF
column list, and they come one customer or one bulk page at a time). SQLite keeps its
row triggers: it has no transition tables, and its updates leave no versions behind.
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

KEY = "merchant_id, month, category_code, registration_status, live"
TRACKED = "merchant_id, created_at, category_code, registration_status, deleted_at"

INSERTED = f"""
CREATE FUNCTION customer_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_counts ({KEY}, customers)
    SELECT merchant_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM'), category_code,
           registration_status, deleted_at IS NULL, count(*)
    FROM inserted_customers
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ({KEY})
    DO UPDATE SET customers = customer_counts.customers + EXCLUDED.customers;
    RETURN NULL;
END
$$;

CREATE TRIGGER customer_counts_inserted
AFTER INSERT ON customers
REFERENCING NEW TABLE AS inserted_customers
FOR EACH STATEMENT EXECUTE FUNCTION customer_counts_inserted();
"""


def _row_trigger(events: str) -> str:
    return (
        f"CREATE TRIGGER customer_counts_track AFTER {events} ON customers "
        "FOR EACH ROW EXECUTE FUNCTION customer_counts_track()"
    )


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # The row function still handles INSERT; it is simply no longer called for one.
    op.execute("DROP TRIGGER customer_counts_track ON customers")
    op.execute(_row_trigger(f"DELETE OR UPDATE OF {TRACKED}"))
    op.execute(INSERTED)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER customer_counts_inserted ON customers")
    op.execute("DROP FUNCTION customer_counts_inserted()")
    op.execute("DROP TRIGGER customer_counts_track ON customers")
    op.execute(_row_trigger(f"INSERT OR DELETE OR UPDATE OF {TRACKED}"))
