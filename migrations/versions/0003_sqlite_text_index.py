"""SQLite substring index: an FTS5 trigram table over customer name, email and address

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:00:00

PostgreSQL answers substring search with the pg_trgm indexes of 0002 and gets nothing
here. On SQLite `customers_text` is an external-content FTS5 table (the index only; the
text stays in `customers`) kept in step by three triggers, and filled once from the rows
already there. See portal/customers/text_index.py.

Batch migrations on SQLite copy `customers` into a new table; a later migration that does
that to `customers` must create these triggers again.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TEXT_COLUMNS = "full_name, email, address"
NEW_VALUES = "new.id, new.full_name, new.email, new.address"
OLD_VALUES = "old.id, old.full_name, old.email, old.address"
TRIGGERS = {
    "customers_text_insert": f"""
        AFTER INSERT ON customers BEGIN
            INSERT INTO customers_text (rowid, {TEXT_COLUMNS}) VALUES ({NEW_VALUES});
        END""",
    "customers_text_delete": f"""
        AFTER DELETE ON customers BEGIN
            INSERT INTO customers_text (customers_text, rowid, {TEXT_COLUMNS})
            VALUES ('delete', {OLD_VALUES});
        END""",
    "customers_text_update": f"""
        AFTER UPDATE OF {TEXT_COLUMNS} ON customers BEGIN
            INSERT INTO customers_text (customers_text, rowid, {TEXT_COLUMNS})
            VALUES ('delete', {OLD_VALUES});
            INSERT INTO customers_text (rowid, {TEXT_COLUMNS}) VALUES ({NEW_VALUES});
        END""",
}


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE customers_text USING fts5({TEXT_COLUMNS}, "
        "content='customers', content_rowid='id', tokenize='trigram')"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute("INSERT INTO customers_text (customers_text) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS customers_text")
