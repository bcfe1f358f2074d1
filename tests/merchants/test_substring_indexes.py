"""Substring search through its indexes: SQLite's FTS5 trigram table, PostgreSQL's
rare-piece trigram plan. Whatever path a search takes, it must find exactly what a plain
case-insensitive LIKE over the column finds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import text

from portal.customers import search_scans, trigram_pieces
from portal.customers.search import CustomerFilters, search_customers
from portal.customers.text_index import matching_ids
from portal.customers.trigram_pieces import pieces, rare_pieces, whole_word
from portal.extensions import db


@pytest.fixture
def shop(make_merchant):
    return make_merchant()


def _found(shop, keyword: str, search_in: str = "NAME") -> list[str]:
    page = search_customers(shop.id, CustomerFilters(keyword=keyword, search_in=search_in))
    column = {"NAME": "full_name", "ADDRESS": "address"}[search_in]
    return sorted(getattr(c, column) for c in page.items)


def _is_sqlite(app: Flask) -> bool:
    return db.engine.dialect.name == "sqlite"


@pytest.fixture
def index_path(monkeypatch) -> None:
    """On SQLite, shrink the newest-rows window so searches go to the FTS5 index (the
    window is not used on PostgreSQL, whose searches always use the trigram indexes)."""
    monkeypatch.setattr(search_scans, "SCAN_WINDOW", 1)


def test_fts_index_follows_insert_update_and_delete(
    app, shop, make_customer, index_path, query_counter
):
    """The triggers keep the FTS5 table in step with every write to a customer row."""
    if not _is_sqlite(app):
        pytest.skip("SQLite's FTS5 index")
    kept = make_customer(shop, first_name="Wulandari", last_name="Kusuma")
    make_customer(shop, first_name="Rahmat", last_name="Hidayat")
    with query_counter() as queries:
        assert _found(shop, "landa") == ["Wulandari Kusuma"]
    assert any("customers_text MATCH" in s for s in queries.statements)

    kept.full_name = "Wulan Sari"
    db.session.flush()
    assert _found(shop, "landa") == []
    assert _found(shop, "lan sa") == ["Wulan Sari"]

    db.session.delete(kept)
    db.session.flush()
    assert _found(shop, "lan sa") == []
    assert _found(shop, "hidayat") == ["Rahmat Hidayat"]


@pytest.mark.parametrize(
    "keyword, expected",
    [
        ('"the"', ['Bob "the" Builder']),
        ("AND", ["Sandra Ands"]),
        ("a*b", []),
        ("x:y", []),
        ("NEAR(", []),
        ("BUDI", ["budi santoso"]),  # ASCII case is ignored, as LIKE does
        ("bu", ['Bob "the" Builder', "budi santoso"]),  # too short for FTS5: scanned
    ],
)
def test_search_matches_like_semantics(shop, make_customer, index_path, keyword, expected):
    """Quotes and FTS5 query syntax in the term are plain text; short terms still work."""
    for name in ('Bob "the" Builder', "Sandra Ands", "budi santoso"):
        make_customer(shop, first_name=name, last_name="")
    assert _found(shop, keyword) == sorted(expected)


def test_fts_table_exists_on_sqlite_only(app: Flask) -> None:
    """The FTS5 table exists on SQLite (migration 0003) and nowhere on PostgreSQL; that
    models and migrations otherwise agree is tests/test_migrations.py's check."""
    names = set(
        db.session.scalars(
            text("SELECT name FROM sqlite_master WHERE name LIKE 'customers_text%'")
            if _is_sqlite(app)
            else text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'customers_text%'")
        )
    )
    if _is_sqlite(app):
        assert "customers_text" in names
    else:
        assert names == set()


def test_pieces_keep_word_boundaries() -> None:
    """Each word keeps one character of context; a piece pg_trgm cannot index is dropped."""
    assert pieces("Road 7, House 3,") == ["Road ", " 7,", " House ", " 3,"]
    assert pieces("7, House") == [" House"]  # a lone "7" at the edge gives no trigram
    assert pieces("gulshan") == ["gulshan"]
    assert pieces("a.b@c") == [".b@", "@c"]  # "a" (edge, one letter) has no trigram


def test_whole_words_are_plain_ascii_between_separators() -> None:
    """Only a piece with a separator on each side and an ASCII word goes to a word index."""
    assert whole_word(" 7,") == "7"
    assert whole_word(" House ") == "house"
    assert whole_word("Road ") is None  # may continue on the left in the data
    assert whole_word(" Şişli ") is None  # the database's locale might split it otherwise
    assert whole_word("é7,") is None


def test_rare_pieces_choose_only_uncommon_pieces() -> None:
    """Common words are left to the recheck; a common or one-piece term is left whole."""
    sample = [f"road {r}, house {h}, gulshan" for r in range(1, 101) for h in range(1, 6)]
    assert rare_pieces("Road 7, House 3,", sample) == [" 7,"]  # " 3," is in a fifth
    assert rare_pieces("gulshan", sample) is None  # one piece
    assert rare_pieces("House 3, Gul", sample) is None  # the whole term is common
    assert rare_pieces("Road 7, House 3,", sample[:50]) is None  # too small a sample


def test_index_is_given_only_rare_pieces(app, shop, make_customer, query_counter, monkeypatch):
    """A term of common words is answered through its rare pieces, with the same rows:
    PostgreSQL's word and trigram indexes, SQLite's FTS5 table (without the window read,
    as the sample of the newest 100 holds no match)."""
    monkeypatch.setattr(trigram_pieces, "SAMPLE_SIZE", 100)
    old = datetime(2024, 1, 1, tzinfo=UTC)
    for r in range(1, 51):
        for h in range(1, 4):
            when = {"created_at": old} if (r, h) == (7, 3) else {}
            make_customer(shop, address=f"Road {r}, House {h}, Gulshan", **when)
    make_customer(shop, address="Road 17, House 33, Gulshan")
    with query_counter() as queries:
        found = _found(shop, "Road 7, House 3,", "ADDRESS")
    assert found == ["Road 7, House 3, Gulshan"]
    if _is_sqlite(app):
        reads = [s for s in queries.statements if s.lstrip().startswith("SELECT customers.id")]
        assert len(reads) == 1 and "customers_text MATCH" in reads[0], queries.statements
    else:
        page_sql = [s for s in queries.statements if "ILIKE" in s.upper() and "||" in s]
        assert page_sql, queries.statements
        assert "regexp_split_to_array" in page_sql[0]  # " 7," went to the word index
    assert _found(shop, "road 1, house 1", "ADDRESS") == ["Road 1, House 1, Gulshan"]
    assert _found(shop, "Road 17, House 33", "ADDRESS") == ["Road 17, House 33, Gulshan"]


def test_fts_query_asks_for_every_usable_piece() -> None:
    """The FTS5 query joins the pieces with AND and drops those under three characters
    (FTS5 would match nothing for them); without pieces it asks for the whole term."""

    def query(*args) -> str:
        stmt = matching_ids(*args)
        assert stmt is not None
        return str(stmt.compile(compile_kwargs={"literal_binds": True}))

    assert '\'address : " 7," AND address : " 3,"\'' in query(
        "address", "Road 7, House 3,", [" 7,", " 3,", " 9"]
    )
    assert '\'full_name : "say ""hi"""\'' in query("full_name", 'say "hi"', None)
    assert matching_ids("address", "ab") is None
