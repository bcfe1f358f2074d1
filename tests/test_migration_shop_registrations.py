"""Migration 0023 on a database that already has shops: they are not new, so their
getting-started checklist starts hidden; shops made afterwards see it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import insert, text

from portal.extensions import db
from portal.merchants.models import Merchant
from tests.support.apps import make_test_app
from tests.support.database import upgrade

MIGRATION = Path(__file__).resolve().parents[1] / "migrations/versions/0023_shop_registrations.py"


def _parent() -> str:
    """The revision 0023 follows (re-chained when branches merge)."""
    spec = importlib.util.spec_from_file_location("migration_0023", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration.down_revision


def test_existing_shops_start_with_the_checklist_hidden(
    scratch_database_url: str, tmp_path: Path
) -> None:
    app = make_test_app(scratch_database_url, tmp_path)
    upgrade(app, _parent())
    with app.app_context():
        # A core insert of the columns the schema before 0023 has (the model has grown since).
        values = {"slug": "old-shop", "name": "Old", "country_code": "BD", "default_language": "en"}
        db.session.execute(insert(Merchant.__table__).values(**values))
        db.session.commit()
        db.engine.dispose()
    upgrade(app, "0023")
    with app.app_context():
        old = db.session.scalar(
            text("SELECT checklist_dismissed_at FROM merchants WHERE slug = 'old-shop'")
        )
        values = {"slug": "new-shop", "name": "New", "country_code": "ID", "default_language": "id"}
        db.session.execute(insert(Merchant.__table__).values(**values))
        new = db.session.scalar(
            text("SELECT checklist_dismissed_at FROM merchants WHERE slug = 'new-shop'")
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert old is not None
    assert new is None
