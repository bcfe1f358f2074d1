"""address word index: the words of customers.address as an array, GIN-indexed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:30:00

PostgreSQL only. A substring search for several words ("Road 7, House 3,") gives its
rare whole words to this index instead of to the trigram index, whose posting lists for
short words are long (see portal/customers/trigram_pieces.py). The expression must stay
the same as `words_of()` there, or the planner will not use the index. SQLite answers
such searches through its FTS5 table (0003).
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "ix_customers_address_words"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX {INDEX} ON customers "
        "USING gin (regexp_split_to_array(lower(address), '[^[:alnum:]]+'))"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
