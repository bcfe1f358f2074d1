"""Flask-Migrate, attached only where migrations run.

Flask-Migrate brings Alembic, Mako and Pygments: about 11 MB in every process that imports
it. Web and job workers never migrate, so create_app leaves it out and registers a light
`flask db` group instead, which attaches Flask-Migrate when one of its commands is called.
Code that migrates without the command line (test helpers, the benchmark generator) calls
`attach_migrations(app)` first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def attach_migrations(app: Flask) -> None:
    """Give `app` its Flask-Migrate extension (once); flask_migrate's functions need it."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    from portal.extensions import db

    Migrate(app, db, directory=str(MIGRATIONS_DIR))


class MigrationCommands(click.Group):
    """`flask db ...`: hands over to Flask-Migrate's own group once it is called."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        from flask_migrate.cli import db as commands

        if parent is not None:
            attach_migrations(parent.ensure_object(ScriptInfo).load_app())
        return commands.make_context(info_name, args, parent=parent, **extra)


def init_migration_commands(app: Flask) -> None:
    app.cli.add_command(
        MigrationCommands("db", help="Database migrations (Flask-Migrate, Alembic).")
    )
