"""Load N customers (with orders) of one merchant into SQLite or PostgreSQL, fast.

    python benchmarks/generate.py --customers 100000 [--database-url URL]

The schema comes from the migrations. Secondary indexes are dropped during the load and
built again afterwards (much faster than maintaining them row by row); PostgreSQL is fed
with COPY, SQLite with executemany. The merchant gets the slug `bench` and an owner
bench@bench.test / bench-password for the page measurements.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

SLUG = "bench"
OWNER_EMAIL = "bench@bench.test"
OWNER_PASSWORD = "bench-password"  # noqa: S105 - a throwaway benchmark account
FIRST = [
    "Budi",
    "Siti",
    "Agus",
    "Dewi",
    "Rina",
    "Andi",
    "Putri",
    "Rizky",
    "Fajar",
    "Ayu",
    "Hasan",
    "Nusrat",
    "Rahim",
    "Karim",
    "Farhana",
    "Tanvir",
    "Sadia",
    "Arif",
    "Mitu",
    "Joy",
    "Anika",
    "Imran",
    "Lina",
    "Yusuf",
    "Maya",
    "Bayu",
    "Wulan",
    "Eko",
    "Sri",
    "Adi",
]
LAST = [
    "Santoso",
    "Rahma",
    "Wijaya",
    "Hossain",
    "Ahmed",
    "Islam",
    "Chowdhury",
    "Saputra",
    "Lestari",
    "Pratama",
    "Uddin",
    "Rahman",
    "Kusuma",
    "Hidayat",
    "Begum",
    "Sarkar",
    "Nugroho",
    "Setiawan",
    "Akter",
    "Haque",
]
AREAS = [
    "Gulshan",
    "Banani",
    "Dhanmondi",
    "Mirpur",
    "Uttara",
    "Motijheel",
    "Kemang",
    "Menteng",
    "Kuningan",
    "Senayan",
    "Bekasi",
    "Depok",
    "Sylhet",
    "Khulna",
    "Bogor",
    "Tangerang",
]
DOMAINS = ("example.com", "mail.test", "tokoku.test", "inbox.test")
CATEGORIES = [("N", 70), ("Y", 20), ("D", 8), ("VIP", 2)]
STATUSES = [("1", 80), ("0", 10), ("4", 3), ("T", 4), ("R", 3)]
PRODUCTS = ("Sepatu", "Kaos", "Tas", "Jam", "Topi", "Sarung", "Panjabi", "Saree")
START = datetime(2023, 11, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 24 * 3600

CUSTOMER_COLUMNS = [
    "id",
    "public_id",
    "merchant_id",
    "first_name",
    "last_name",
    "full_name",
    "phone",
    "country_code",
    "email",
    "address",
    "category_code",
    "registration_status",
    "active_state",
    "storefront_active",
    "is_loyal",
    "registered_by",
    "is_otp_verified",
    "session_version",
    "version",
    "created_at",
    "created_by",
    "last_order_at",
]
ORDER_COLUMNS = [
    "id",
    "merchant_id",
    "customer_id",
    "po_number",
    "ordered_at",
    "total_price",
    "product_status",
    "items_count",
]
ITEM_COLUMNS = ["id", "order_id", "product_name", "quantity"]


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _stamp(moment: datetime, sqlite: bool) -> object:
    # SQLAlchemy stores SQLite datetimes as this text; PostgreSQL takes the datetime.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else moment


def rows(n: int, merchant_id: int, sqlite: bool, seed: int = 42) -> Iterator[tuple]:
    """(customer, orders, items) tuples; ids are 1..n for customers."""
    rng = random.Random(seed)
    order_id = item_id = 0
    for i in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        created = START + timedelta(seconds=SPAN_SECONDS * i / n + rng.random())
        # 48271 is coprime to 10, so this walks every 8-digit number once: unique phones.
        phone = f"+88017{(i * 48271) % 10**8:08d}"
        has_orders = rng.random() < 0.4
        orders, items = [], []
        last_order = None
        if has_orders:
            for _ in range(rng.randint(1, 3)):
                order_id += 1
                ordered = created + timedelta(
                    days=rng.randint(0, 400), seconds=rng.randint(0, 86399)
                )
                last_order = max(last_order or ordered, ordered)
                count = rng.randint(1, 2)
                orders.append(
                    (
                        order_id,
                        merchant_id,
                        i,
                        order_id,  # PO numbers are unique per merchant (migration 0009)
                        _stamp(ordered, sqlite),
                        rng.randint(10, 900) * 1000,
                        "S",
                        count,
                    )
                )
                for _ in range(count):
                    item_id += 1
                    items.append((item_id, order_id, rng.choice(PRODUCTS), rng.randint(1, 3)))
        customer = (
            i,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            merchant_id,
            first,
            last,
            f"{first} {last}",
            phone,
            "BD",
            f"{first.lower()}.{last.lower()}{i}@{rng.choice(DOMAINS)}",
            f"Road {rng.randint(1, 120)}, House {rng.randint(1, 90)}, {rng.choice(AREAS)}",
            _weighted(rng, CATEGORIES),
            _weighted(rng, STATUSES),
            "Y",
            False,
            False,
            "self",
            True,
            1,
            1,
            _stamp(created, sqlite),
            "bench",
            _stamp(last_order, sqlite) if last_order else None,
        )
        yield customer, orders, items


def _secondary_indexes(conn, sqlite: bool) -> list[tuple[str, str]]:
    """(name, CREATE statement) of indexes on the loaded tables that are not constraints."""
    if sqlite:
        result = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                "AND tbl_name IN ('customers', 'orders', 'order_items')"
            )
        )
        return [(name, sql) for name, sql in result]
    result = conn.execute(
        text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.tablename IN ('customers', 'orders', 'order_items') "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
    )
    return [(name, sql) for name, sql in result]


def load(database_url: str, n: int, *, batch: int = 20_000) -> dict[str, float]:
    """Create the schema, the merchant and N customers; returns timings in seconds."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["RATELIMIT_ENABLED"] = "0"
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.merchants.models import Category, Merchant
    from portal.migrating import attach_migrations
    from portal.staff.accounts import hash_password
    from portal.staff.models import StaffUser

    app = create_app()
    timings: dict[str, float] = {}
    attach_migrations(app)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        sqlite = db.engine.dialect.name == "sqlite"
        merchant = Merchant(slug=SLUG, name="Bench shop", country_code="BD")
        db.session.add(merchant)
        db.session.flush()
        db.session.add(Category(merchant_id=merchant.id, code="VIP", name="VIP"))
        db.session.add(
            StaffUser(
                merchant_id=merchant.id,
                email=OWNER_EMAIL,
                password_hash=hash_password(OWNER_PASSWORD),
                role="owner",
            )
        )
        db.session.commit()
        merchant_id = merchant.id

        started = time.perf_counter()
        with db.engine.begin() as conn:
            indexes = _secondary_indexes(conn, sqlite)
            for name, _ in indexes:
                conn.execute(text(f"DROP INDEX {name}"))
            if sqlite:
                _load_sqlite(conn, n, merchant_id, batch)
            else:
                _load_postgres(conn, n, merchant_id)
            timings["load_rows_s"] = time.perf_counter() - started
            mark = time.perf_counter()
            for _, sql in indexes:
                conn.execute(text(sql))
            timings["build_indexes_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with db.engine.connect() as conn:
            if sqlite:
                conn.execute(text("ANALYZE"))
                conn.commit()
            else:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(text("VACUUM ANALYZE customers"))
                conn.execute(text("VACUUM ANALYZE orders"))
                conn.execute(text("VACUUM ANALYZE order_items"))
                conn.execute(
                    text("SELECT setval('customers_id_seq', (SELECT max(id) FROM customers))")
                )
                conn.execute(text("SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))"))
                conn.execute(
                    text("SELECT setval('order_items_id_seq', (SELECT max(id) FROM order_items))")
                )
        timings["analyze_s"] = time.perf_counter() - mark
        db.engine.dispose()
    return timings


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _load_sqlite(conn, n: int, merchant_id: int, batch: int) -> None:
    raw = conn.connection.driver_connection
    customers, orders, items = [], [], []

    def flush() -> None:
        raw.executemany(_insert_sql("customers", CUSTOMER_COLUMNS), customers)
        raw.executemany(_insert_sql("orders", ORDER_COLUMNS), orders)
        raw.executemany(_insert_sql("order_items", ITEM_COLUMNS), items)
        customers.clear()
        orders.clear()
        items.clear()

    for customer, order_rows, item_rows in rows(n, merchant_id, sqlite=True):
        customers.append(customer)
        orders.extend(order_rows)
        items.extend(item_rows)
        if len(customers) >= batch:
            flush()
    flush()


def _load_postgres(conn, n: int, merchant_id: int) -> None:
    raw = conn.connection.driver_connection
    all_orders, all_items = [], []
    with raw.cursor() as cur:
        with cur.copy(f"COPY customers ({', '.join(CUSTOMER_COLUMNS)}) FROM STDIN") as copy:
            for customer, order_rows, item_rows in rows(n, merchant_id, sqlite=False):
                copy.write_row(customer)
                all_orders.extend(order_rows)
                all_items.extend(item_rows)
        with cur.copy(f"COPY orders ({', '.join(ORDER_COLUMNS)}) FROM STDIN") as copy:
            for row in all_orders:
                copy.write_row(row)
        with cur.copy(f"COPY order_items ({', '.join(ITEM_COLUMNS)}) FROM STDIN") as copy:
            for row in all_items:
                copy.write_row(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL (an empty database)")
    started = time.perf_counter()
    timings = load(args.database_url, args.customers)
    total = time.perf_counter() - started
    print(f"loaded {args.customers:,} customers in {total:.1f}s", timings)


if __name__ == "__main__":
    main()
