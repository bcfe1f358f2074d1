"""SQLite's index for substring search: an FTS5 table with the trigram tokenizer.

SQLite has no trigram index of its own, so a search for a rare term used to read every
row of the merchant (27-31 ms at 100,000 customers, growing with them). Migration 0003
adds `customers_text`, an FTS5 table over full_name, email and address with external
content (it holds only the index, the text stays in `customers`), kept in step by
triggers. With the trigram tokenizer a quoted phrase matches any substring of three
characters or more.

The search still reads the newest rows in list order first, since FTS5 would collect
every match of a common term before the first page could be cut; only when that window
does not fill the page does it ask this index. The LIKE on the customer row still
decides: FTS5 folds case beyond ASCII, so its matches are a superset of LIKE's.
PostgreSQL does not have this table (pg_trgm indexes serve it there).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, literal_column, select, table

from portal.customers.phone_suffix import INDEXES as PHONE_SUFFIX_INDEXES
from portal.customers.trigram_pieces import WORD_INDEXES

TABLE = "customers_text"
COLUMNS = ("full_name", "email", "address")
# Shorter phrases have no trigram: FTS5 would match nothing.
MIN_CHARS = 3


def is_text_index_table(name: str | None) -> bool:
    """The FTS5 table and its shadow tables, which migrations own and models do not."""
    return bool(name) and (name == TABLE or str(name).startswith(TABLE + "_"))


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's autogenerate filter: leave out the search structures that migrations
    own and models do not declare (this FTS5 table; PostgreSQL's word and reversed-phone
    indexes, whose expressions use functions SQLite lacks)."""
    if type_ == "table":
        return not is_text_index_table(name)
    postgres_only = (*WORD_INDEXES.values(), *PHONE_SUFFIX_INDEXES.values())
    return not (type_ == "index" and name in postgres_only)


def _phrase(keyword: str) -> str:
    return '"' + keyword.replace('"', '""') + '"'


def matching_ids(
    column: str, keyword: str, pieces: list[str] | None = None
) -> Select[tuple[int]] | None:
    """Ids of customers whose `column` contains `keyword` (or a case-folded variant), or
    None when the keyword is too short for the index.

    With `pieces` (the rare parts of the keyword, see trigram_pieces.py) the index is
    asked for rows holding all of them instead: fewer, rarer trigrams, the same rows
    once the caller's LIKE has checked the whole keyword. Pieces too short for a
    trigram are left out, as FTS5 would match nothing for them.
    """
    if column not in COLUMNS or len(keyword) < MIN_CHARS:
        return None
    usable = [piece for piece in pieces or () if len(piece) >= MIN_CHARS]
    query = " AND ".join(f"{column} : {_phrase(part)}" for part in usable or [keyword])
    match: ColumnElement[bool] = literal_column(TABLE).op("MATCH")(query)
    return select(literal_column("rowid")).select_from(table(TABLE)).where(match)
