"""Migrations and models agree, and the migration chain runs down and up again."""

from __future__ import annotations

from pathlib import Path
from pprint import pformat

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from portal.customers.text_index import include_name
from portal.extensions import db
from portal.migrating import attach_migrations
from tests.support.apps import make_test_app
from tests.support.database import downgrade, upgrade


def schema_diff(connection: Connection) -> list[object]:
    """What `flask db migrate` would generate: empty when the models match the database."""
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(context, db.metadata))


def table_names(app: Flask) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


def test_migrations_match_models(app: Flask) -> None:
    """The migrated test database has exactly the models' tables, columns and indexes."""
    diff = schema_diff(db.session.connection())
    assert diff == [], "models and migrations differ; run `flask db migrate`:\n" + pformat(diff)


def test_migrations_have_single_head(app: Flask) -> None:
    """One head: two people's migrations were not left branched."""
    attach_migrations(app)
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"


def test_migrations_downgrade_to_base_and_upgrade_again(
    scratch_database_url: str, tmp_path: Path
) -> None:
    """Every downgrade works: down to an empty schema, then up to models again."""
    app = make_test_app(scratch_database_url, tmp_path)
    model_tables = set(db.metadata.tables)
    upgrade(app)
    assert model_tables <= table_names(app)
    downgrade(app, "base")
    assert table_names(app) - {"alembic_version"} == set()
    upgrade(app)
    assert model_tables <= table_names(app)
    with app.app_context():
        with db.engine.connect() as connection:
            diff = schema_diff(connection)
        db.engine.dispose()
    assert diff == [], pformat(diff)
