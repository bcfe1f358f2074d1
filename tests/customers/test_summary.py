"""The customer counts table follows every way a customer changes, in its transaction.

Each test changes customers one way and then compares the table with the same counts
taken from the customers themselves, so a trigger that misses a case fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, update

from portal.core.time import utcnow
from portal.customers.models import Customer
from portal.customers.summary import (
    CustomerCount,
    counts_by_category,
    counts_by_month,
    live_total,
)
from portal.extensions import db


def _from_customers(merchant_id: int) -> dict[tuple, int]:
    rows = db.session.execute(
        select(
            Customer.created_at,
            Customer.category_code,
            Customer.registration_status,
            Customer.deleted_at.is_(None),
        ).where(Customer.merchant_id == merchant_id)
    )
    counted: dict[tuple, int] = {}
    for created_at, category, status, live in rows:
        key = (created_at.astimezone(UTC).strftime("%Y-%m"), category, status, bool(live))
        counted[key] = counted.get(key, 0) + 1
    return counted


def _from_summary(merchant_id: int) -> dict[tuple, int]:
    rows = db.session.scalars(
        select(CustomerCount).where(
            CustomerCount.merchant_id == merchant_id, CustomerCount.customers != 0
        )
    )
    return {
        (r.month, r.category_code, r.registration_status, bool(r.live)): r.customers for r in rows
    }


def _agree(merchant_id: int) -> None:
    db.session.flush()
    assert _from_summary(merchant_id) == _from_customers(merchant_id)


def test_inserts_land_in_their_utc_month(app, make_merchant, make_customer):
    """A customer added just before midnight UTC counts in that month, per category."""
    merchant = make_merchant()
    make_customer(merchant, created_at=datetime(2026, 1, 31, 23, 59, tzinfo=UTC))
    make_customer(merchant, created_at=datetime(2026, 2, 1, 0, 0, tzinfo=UTC), category_code="Y")
    make_customer(make_merchant(), created_at=datetime(2026, 2, 2, tzinfo=UTC))
    _agree(merchant.id)
    assert counts_by_month(merchant.id, ["2026-01", "2026-02", "2026-03"]) == {
        "2026-01": 1,
        "2026-02": 1,
    }
    assert counts_by_category(merchant.id) == {"N": 1, "Y": 1}


def test_updates_move_customers_between_counts(app, make_merchant, make_customer):
    """Category, status, soft delete and restore each move one count to another."""
    merchant = make_merchant()
    customers = [make_customer(merchant) for _ in range(4)]
    customers[0].category_code = "D"
    customers[1].registration_status = "A"
    customers[2].deleted_at = utcnow()
    _agree(merchant.id)
    assert live_total(merchant.id) == 3
    customers[2].deleted_at = None
    customers[3].first_name = "Only a name"  # not a counted column: nothing moves
    _agree(merchant.id)
    assert live_total(merchant.id) == 4
    assert live_total(merchant.id, category="D") == 1
    assert live_total(merchant.id, status="A") == 1


def test_bulk_statements_and_deletes_are_counted(app, make_merchant, make_customer):
    """UPDATE and DELETE statements that skip the ORM's objects are counted too."""
    merchant = make_merchant()
    for _ in range(5):
        make_customer(merchant)
    db.session.execute(
        update(Customer).where(Customer.merchant_id == merchant.id).values(category_code="Y")
    )
    _agree(merchant.id)
    first = db.session.scalar(
        select(func.min(Customer.id)).where(Customer.merchant_id == merchant.id)
    )
    db.session.execute(delete(Customer).where(Customer.id == first))
    _agree(merchant.id)
    assert counts_by_category(merchant.id) == {"Y": 4}


def test_a_rolled_back_change_leaves_the_counts(app, make_merchant, make_customer):
    """The counts share the customer's transaction: a rollback undoes both."""
    merchant = make_merchant()
    make_customer(merchant)  # committed by the factory
    db.session.add(Customer(merchant_id=merchant.id, full_name="Never kept"))
    db.session.flush()
    assert live_total(merchant.id) == 2
    db.session.rollback()
    assert live_total(merchant.id) == 1
    _agree(merchant.id)


def test_one_statement_of_many_customers_is_counted_per_group(app, make_merchant):
    """A multi-row INSERT spanning months, categories, statuses and a deleted customer
    (PostgreSQL counts a statement's new rows once per group), then a second one onto
    the same counts: the table agrees with the customers after each."""
    merchant = make_merchant()

    def rows(start: int) -> list[dict]:
        return [
            {
                "merchant_id": merchant.id,
                "full_name": f"Row {start + i}",
                "phone": f"+88017110{start + i:05d}",
                "created_at": datetime(2026, 1 + i % 3, 28, 23, 30, tzinfo=UTC),
                "category_code": "NYD"[i % 3 if i % 2 else 0],
                "registration_status": "A" if i % 4 == 0 else "W",
                "deleted_at": utcnow() if i == 5 else None,
            }
            for i in range(12)
        ]

    db.session.execute(Customer.__table__.insert(), rows(0))
    _agree(merchant.id)
    db.session.execute(Customer.__table__.insert(), rows(100))
    _agree(merchant.id)
    assert live_total(merchant.id) == 22


@pytest.mark.postgres_only
def test_a_copy_of_customers_is_counted(app, make_merchant):
    """COPY (an import's new customers on PostgreSQL) fires the statement's count too."""
    from portal.core.bulk_ids import copy_rows, next_ids

    merchant = make_merchant()
    ids = next_ids(Customer, 3)
    assert ids is not None
    copy_rows(
        Customer,
        [
            {
                "id": new_id,
                "public_id": f"00000000-0000-4000-8000-00000000000{n}",
                "merchant_id": merchant.id,
                "full_name": f"Copied {n}",
                "phone": f"+8801711200{n:03d}",
                "category_code": "Y" if n else "N",
                "registration_status": "W",
                "created_at": datetime(2026, 3, 1, tzinfo=UTC),
            }
            for n, new_id in enumerate(ids)
        ],
    )
    _agree(merchant.id)
    assert counts_by_category(merchant.id) == {"N": 1, "Y": 2}
