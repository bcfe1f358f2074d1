"""Fresh planner statistics while a bulk load grows a table (PostgreSQL).

Why: an import into a new shop grows `customers` from nothing to 100,000 rows in a
minute, before autovacuum has looked at it. With statistics that still say "empty",
the planner matched each batch's phones by scanning every customer of the merchant and
testing it against the batch's 1,000 numbers: 250 ms a batch at 15,000 rows, growing
with each batch. PostgreSQL's own advice for bulk loads is to ANALYZE after loading
("Populating a Database"); here it runs each time the load has doubled, so 100,000 rows
cost eight samples of at most 30,000 rows each.

ANALYZE is best-effort: by a role that does not own the table it is a warning, not an
error, and on SQLite it is not needed (the lookups there use the unique indexes).
"""

from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db


class GrowthAnalyzer:
    """Analyze `table` once `first` rows were written, then at each doubling."""

    def __init__(self, table: str, *, first: int) -> None:
        self.table = table
        self.next_at = first

    def wrote(self, rows: int) -> None:
        """Tell the analyzer how many rows the load has written so far."""
        if rows < self.next_at:
            return
        self.next_at = rows * 2
        if db.session.get_bind().dialect.name == "postgresql":
            # The table name is the model's, never input.
            db.session.execute(text(f"ANALYZE {self.table}"))
