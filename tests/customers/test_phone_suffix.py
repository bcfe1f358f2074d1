"""Finding a customer by the last digits of their phone ("your number?" … "5032")."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal.customers.models import Customer
from portal.customers.phone_suffix import INDEXES, suffix_condition, suffix_digits
from portal.customers.search import CustomerFilters, search_customers
from portal.extensions import db


@pytest.fixture
def shop(make_merchant):
    return make_merchant()


def _found(shop, typed: str) -> list[str]:
    page = search_customers(shop.id, CustomerFilters(keyword=typed, search_in="PHONE"))
    return sorted(c.full_name for c in page.items)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("5032", "5032"),
        ("…5032", "5032"),
        ("50 32", "5032"),
        ("৫০৩২", "5032"),
        ("(017) 11-5032", "017115032"),
        ("503", None),
        ("+8805032", None),
        ("50a32", None),
        ("", None),
    ],
)
def test_suffix_digits(typed, digits):
    """Four or more digits typed without "+" may be a number's end; anything else not."""
    assert suffix_digits(typed) == digits


def test_last_digits_find_the_customer(shop, make_customer):
    """ "5032" finds the numbers ending in it, and only those."""
    make_customer(shop, first_name="Ends", last_name="", phone="+8801711125032")
    make_customer(shop, first_name="Middle", last_name="", phone="+8801750321111")
    make_customer(shop, first_name="Other", last_name="", phone="+8801811129999")
    assert _found(shop, "5032") == ["Ends"]
    assert _found(shop, "…25032") == ["Ends"]


def test_last_digits_find_a_number_still_being_confirmed(shop, make_customer):
    """A number waiting for its code is found by its end too."""
    make_customer(shop, confirmed=False, first_name="New", last_name="", phone="+8801755507788")
    assert _found(shop, "7788") == ["New"]


def test_start_and_end_both_match(shop, make_customer):
    """Digits that begin one local number and end another find both."""
    make_customer(shop, first_name="Starts", last_name="", phone="+8801712340000")
    make_customer(shop, first_name="Ends", last_name="", phone="+8801999901712")
    assert _found(shop, "01712") == ["Ends", "Starts"]


def test_three_digits_are_not_a_suffix(shop, make_customer):
    """Three digits match only as the start of a local number (too many ends match)."""
    make_customer(shop, first_name="Ends", last_name="", phone="+8801711125032")
    assert _found(shop, "032") == []


def test_last_digits_stay_within_the_merchant(shop, make_merchant, make_customer):
    """Another merchant's customer with the same ending is not found."""
    other = make_merchant()
    make_customer(other, first_name="Elsewhere", last_name="", phone="+8801711125032")
    make_customer(shop, first_name="Mine", last_name="", phone="+8801711135032")
    assert _found(shop, "5032") == ["Mine"]


def test_deleted_customers_are_not_found_by_their_end(shop, make_customer):
    """Soft-deleted customers stay out of a last-digits search."""
    gone = make_customer(shop, first_name="Gone", last_name="", phone="+8801711125032")
    gone.deleted_at = gone.created_at
    db.session.flush()
    assert _found(shop, "5032") == []


def _copies(customer: Customer, count: int) -> None:
    """`count` more customers like `customer`, with other numbers, in one statement."""
    kept = [c.name for c in Customer.__table__.columns if c.name not in COPY_SKIPS]
    names = ", ".join(kept)
    db.session.execute(
        text(
            f"INSERT INTO customers ({names}, phone, public_id) "
            f"SELECT {names}, '+88019' || lpad(g::text, 8, '0'), gen_random_uuid()::text "
            "FROM customers, generate_series(1, :count) AS g WHERE id = :id"
        ),
        {"count": count, "id": customer.id},
    )
    db.session.execute(text("ANALYZE customers"))


COPY_SKIPS = ("id", "phone", "unconfirmed_phone", "public_id")


@pytest.mark.postgres_only
def test_postgres_reads_the_reversed_phone_index(shop, make_customer):
    """On PostgreSQL the condition is a range on migration 0008's expression index."""
    _copies(make_customer(shop, first_name="Ends", last_name="", phone="+8801711125032"), 3000)
    query = select(Customer.id).where(Customer.merchant_id == shop.id, suffix_condition("5032"))
    compiled = query.compile(db.session.get_bind())
    explained = db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    plan = "\n".join(explained.scalars())
    assert INDEXES["phone"] in plan and INDEXES["unconfirmed_phone"] in plan
    assert "reverse((phone)::text) ~>=~ '2305'::text" in plan
    assert sorted(
        c.full_name
        for c in db.session.scalars(
            select(Customer).where(Customer.merchant_id == shop.id, suffix_condition("25032"))
        )
    ) == ["Ends"]
