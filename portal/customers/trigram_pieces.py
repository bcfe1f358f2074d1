"""Which part of a substring search PostgreSQL's indexes should answer.

pg_trgm answers `ILIKE '%term%'` by intersecting the posting lists of every trigram of
the term. When each of them is common the index reads almost every row's entry several
times: "Road 7, House 3," (road, house and the spacing occur in every address) took 45 ms
at a million customers, although only 93 rows match. Its rare parts, "7" and "3" as whole
words, find the same rows in 4 ms.

So a term of several words is cut into pieces: each word with the characters around it
in the term, since pg_trgm pads whole words and those boundary trigrams are the
selective ones. A sample of the merchant's newest values tells how common each piece is;
the index is given only the rare pieces and the whole term is checked on the rows they
find. The sample only steers speed: the answer is the same whichever pieces are chosen.

A piece that is a whole word (" 7," in the term above) goes to the word index of its
column when there is one (migration 0004: the column's words as an array, GIN-indexed):
the posting list of the word "7" is far shorter than those of the trigrams "  7" (every
word starting with 7) and " 7 ". Only plain ASCII words go there, so the database's
locale cannot split or fold them differently from Python.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from sqlalchemy import ColumnElement, Text, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY, array

from portal.core.memory import Kept, app_memory, forget_on_change
from portal.customers.models import Customer
from portal.extensions import db

# A word as pg_trgm sees it: letters and digits (Python's \w without the underscore).
WORD = re.compile(r"[^\W_]+")
SAMPLE_SIZE = 1000
MIN_SAMPLE = 100
SAMPLE_SECONDS = 600.0
# A piece found in at most this share of the sample is worth giving to the index ...
RARE_SHARE = 0.05
# ... and a term found in at least this share is common: the list's index order finds
# its first page sooner than any trigram scan (the planner sees that on its own).
COMMON_SHARE = 0.01
MAX_PIECES = 3
EXTENSION = "trigram_samples"
ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
# column key -> name of its word index (migration 0004)
WORD_INDEXES = {"address": "ix_customers_address_words"}


def pieces(keyword: str) -> list[str]:
    """Each word of `keyword` with at most one character of context on either side.

    pg_trgm pads a word with two blanks in front and one behind when it is whole; a word
    at the edge of the term may continue in the data, so it is not padded there. A piece
    that would give pg_trgm no trigram at all is left out.
    """
    found = []
    for match in WORD.finditer(keyword):
        start, end = match.span()
        before = 2 if start > 0 else 0
        after = 1 if end < len(keyword) else 0
        if end - start + before + after >= 3:
            found.append(keyword[max(0, start - 1) : end + 1])
    return found


class Samples:
    """Newest values per (merchant, column), lowercased, kept SAMPLE_SECONDS, with the
    pieces chosen for each term asked (a page asks twice: for its rows and its count).
    Both memories forget a merchant when its customers change (portal/core/memory.py)."""

    def __init__(self, ttl: float = SAMPLE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._kept = Kept(maxsize=256, ttl=ttl, clock=lambda: self.clock())
        self._chosen = Kept(maxsize=4096, ttl=ttl, clock=lambda: self.clock())

    def rare_pieces(
        self, merchant_id: int, column: ColumnElement[str], keyword: str
    ) -> list[str] | None:
        """rare_pieces() of `keyword` against this merchant's sample of `column`."""
        values = self.values(merchant_id, column)
        return self._chosen.get_or_make(
            (merchant_id, column.key, keyword), lambda: rare_pieces(keyword, values)
        )

    def share(self, merchant_id: int, column: ColumnElement[str], keyword: str) -> float | None:
        """How much of the sample contains `keyword`; None when the sample is too small
        to tell."""
        values = self.values(merchant_id, column)
        return _share(keyword, values) if len(values) >= MIN_SAMPLE else None

    def values(self, merchant_id: int, column: ColumnElement[str]) -> list[str]:
        return self._kept.get_or_make(
            (merchant_id, column.key), lambda: self._sample(merchant_id, column)
        )

    def _sample(self, merchant_id: int, column: ColumnElement[str]) -> list[str]:
        rows = db.session.scalars(
            select(column)
            .where(Customer.merchant_id == merchant_id, Customer.deleted_at.is_(None))
            .order_by(Customer.created_at.desc(), Customer.id.desc())
            .limit(SAMPLE_SIZE)
        )
        return [value.lower() for value in rows if value]

    def forget(self, merchant_id: int | None = None) -> None:
        self._kept.forget(merchant_id)
        self._chosen.forget(merchant_id)


def samples() -> Samples:
    return app_memory(EXTENSION, Samples)


def _share(piece: str, values: list[str]) -> float:
    needle = piece.lower()
    return sum(needle in value for value in values) / len(values)


def rare_pieces(keyword: str, values: list[str]) -> list[str] | None:
    """The pieces of `keyword` the index should be given instead of the whole term, or
    None when the whole term is the better (or only) choice."""
    cut = pieces(keyword)
    if len(cut) < 2 or len(values) < MIN_SAMPLE:
        return None
    if _share(keyword, values) >= COMMON_SHARE:
        return None
    shares = sorted((_share(piece, values), piece) for piece in cut)
    rare = [piece for share, piece in shares if share <= RARE_SHARE][:MAX_PIECES]
    if not rare or len(rare) == len(cut):
        return None
    return rare


def whole_word(piece: str) -> str | None:
    """The lowercased word of a piece bounded on both sides by ASCII punctuation or
    spaces (" 7,"), when the word is plain ASCII letters and digits; else None."""
    inner, first, last = piece[1:-1], piece[:1], piece[-1:]
    if not (first.isascii() and last.isascii() and ASCII_WORD.fullmatch(inner)):
        return None
    if first.isalnum() or last.isalnum():
        return None
    return inner.lower()


def words_of(column: ColumnElement[str]) -> ColumnElement[list[str]]:
    """The expression migration 0004 indexes: the value's words, lowercased."""
    return func.regexp_split_to_array(
        func.lower(column), literal_column("'[^[:alnum:]]+'"), type_=ARRAY(Text)
    )


def piece_conditions(
    column: ColumnElement[str], rare: list[str], like: Callable[[str], str]
) -> list[ColumnElement[bool]]:
    """Index conditions for the chosen pieces: whole words through the column's word
    index when it has one, the rest as trigram LIKEs (`like` makes the pattern)."""
    words = [word for piece in rare if (word := whole_word(piece))]
    if column.key not in WORD_INDEXES:
        words = []
    conditions: list[ColumnElement[bool]] = []
    if words:
        conditions.append(words_of(column).op("@>")(cast(array(words), ARRAY(Text))))
    conditions += [
        column.ilike(like(piece), escape="\\")
        for piece in rare
        if not (words and whole_word(piece))
    ]
    return conditions


forget_on_change(Customer, EXTENSION)
