"""Migration 0009 (unique PO numbers per merchant) on a database that already has orders."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Connection

from portal.customers.models import Customer
from portal.extensions import db
from portal.merchants.models import Merchant
from tests.support.apps import make_test_app
from tests.support.database import upgrade

INSERT_ORDER = text(
    "INSERT INTO orders (merchant_id, customer_id, po_number, ordered_at, total_price, "
    "product_status, items_count) VALUES (:m, :c, :po, :at, 1000, 'S', 0)"
)
MIGRATION = Path(__file__).resolve().parents[1] / "migrations/versions/0009_order_po_number.py"


def _upgrade_refusal(connection: Connection) -> str:
    """What 0009's upgrade() says on this connection: run directly, so the refusal comes
    back as its message (Flask-Migrate's upgrade would log it and exit)."""
    spec = importlib.util.spec_from_file_location("migration_0009", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with Operations.context(MigrationContext.configure(connection)):
        try:
            migration.upgrade()
        except RuntimeError as exc:
            return str(exc)
    return ""


def _merchant(slug: str) -> int:
    values = {"slug": slug, "name": slug, "country_code": "BD", "default_language": "en"}
    return db.session.execute(insert(Merchant.__table__).values(**values)).inserted_primary_key[0]


def _customer(merchant_id: int) -> int:
    """A customer row of the columns the database has at this revision, with the models'
    defaults for those columns only (the model has columns later migrations add)."""
    present = {c["name"] for c in inspect(db.session.connection()).get_columns("customers")}
    values: dict[str, object] = {"merchant_id": merchant_id, "public_id": str(uuid.uuid4())}
    for column in Customer.__table__.columns:
        default = column.default
        if column.name in values or column.name not in present or default is None:
            continue
        values[column.name] = default.arg(None) if default.is_callable else default.arg
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    statement = text(f"INSERT INTO customers ({names}) VALUES ({marks}) RETURNING id")
    return db.session.execute(statement, values).scalar_one()


def test_upgrade_stops_on_repeated_po_numbers_then_passes_once_fixed(
    scratch_database_url: str, tmp_path: Path
) -> None:
    """Two orders of one merchant under one PO number stop the upgrade with a message;
    the same number at another merchant does not; renumbered, the upgrade goes through."""
    app = make_test_app(scratch_database_url, tmp_path)
    upgrade(app, "0007")
    with app.app_context():
        # Core inserts of the columns 0007 has: the models have grown since (a factory
        # would write columns later migrations add).
        shop, other = _merchant("po-shop"), _merchant("po-other")
        ids = {"m": shop, "c": _customer(shop)}
        at = datetime(2026, 1, 1, tzinfo=UTC)
        db.session.execute(INSERT_ORDER, ids | {"po": 7, "at": at})
        db.session.execute(INSERT_ORDER, ids | {"po": 7, "at": at})
        theirs = {"m": other, "c": _customer(other)}
        db.session.execute(INSERT_ORDER, theirs | {"po": 7, "at": at})
        db.session.commit()
        shop_id = ids["m"]
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        with db.engine.connect() as connection:
            refusal = _upgrade_refusal(connection)
        db.engine.dispose()
    assert refusal.startswith("1 PO numbers are used by more than one order")
    with app.app_context():
        version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.remove()
        db.engine.dispose()
    assert version == "0007"
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE orders SET po_number = 8 WHERE id = (SELECT max(id) FROM orders "
                "WHERE merchant_id = :m)"
            ),
            {"m": shop_id},
        )
        db.session.commit()
        db.engine.dispose()
    upgrade(app, "0009")
    with app.app_context():
        version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.remove()
        db.engine.dispose()
    assert version == "0009"
