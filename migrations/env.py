"""Alembic environment: migrations run against the Flask app's own engine.

The engine comes from Flask-SQLAlchemy 3 (``db.engine``), so one migration history
serves SQLite and PostgreSQL alike. SQLite gets batch mode, because it cannot alter
columns or constraints in place.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from portal.customers.text_index import include_name

config = context.config
if config.config_file_name:
    # Keep the application's loggers: Alembic's ini would silence them otherwise.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
engine = migrate_ext.db.engine
metadata = migrate_ext.db.metadata
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def skip_empty_autogenerate(migration_context, revision, directives) -> None:
    """Do not write an empty revision when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_offline() -> None:
    """Emit SQL to stdout (``flask db upgrade --sql``) without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=engine.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Apply migrations over a live connection."""
    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("render_as_batch", engine.dialect.name == "sqlite")
    options.setdefault("include_name", include_name)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
