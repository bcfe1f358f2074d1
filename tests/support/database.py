"""Test databases: migrating, per-test rollback, emptying, and counting statements."""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

import flask_migrate
from flask import Flask, current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import scoped_session, sessionmaker

from portal.extensions import db
from portal.migrating import attach_migrations

BACKENDS = ("sqlite", "postgres")
# Statements the test harness adds around the app's own; not counted by QueryCounter.
HARNESS_SQL = re.compile(r"^\s*(BEGIN|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


def backend() -> str:
    """The database the suite runs on: TEST_DATABASE=sqlite (default) or postgres."""
    name = os.environ.get("TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
    if name not in BACKENDS:
        raise ValueError(f"TEST_DATABASE must be one of {BACKENDS}, got {name!r}")
    return name


@contextmanager
def _alembic_env_tamed() -> Iterator[None]:
    """Run migrations/env.py without its side effects on the test process.

    Flask-Migrate's env.py template tries db.get_engine() first, which Flask-SQLAlchemy 3.1
    deprecates (the warning is an error under our filterwarnings), then falls back.
    """
    with _logging_kept(), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="'get_engine' is deprecated", category=DeprecationWarning
        )
        yield


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Alembic's env.py calls fileConfig(), which disables every logger already created.

    Tests that use caplog on the app's loggers would then see nothing, so put back the
    logger states and root handlers as they were.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = {
        name: (lg.disabled, lg.level, list(lg.handlers), lg.propagate)
        for name, lg in logging.root.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, (disabled, lvl, hdlrs, propagate) in loggers.items():
            lg = logging.getLogger(name)
            lg.disabled, lg.propagate = disabled, propagate
            lg.setLevel(lvl)
            lg.handlers[:] = hdlrs
        for name, lg in logging.root.manager.loggerDict.items():
            if name not in loggers and isinstance(lg, logging.Logger):
                lg.disabled = False


def upgrade(app: Flask, revision: str = "head") -> None:
    """Apply the Alembic migrations in migrations/ to the app's database."""
    attach_migrations(app)
    with _alembic_env_tamed(), app.app_context():
        flask_migrate.upgrade(revision=revision)
        db.engine.dispose()


def downgrade(app: Flask, revision: str = "base") -> None:
    """Undo migrations down to `revision`."""
    attach_migrations(app)
    with _alembic_env_tamed(), app.app_context():
        flask_migrate.downgrade(revision=revision)
        db.engine.dispose()


def delete_all_rows(app: Flask) -> None:
    """Empty every table of the models (alembic_version stays), children first."""
    with app.app_context():
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        db.engine.dispose()


class ConnectionBoundSession(Session):
    """Flask-SQLAlchemy's Session, but honouring `bind=` (its get_bind ignores it)."""

    def get_bind(
        self,
        mapper: Any | None = None,
        clause: Any | None = None,
        bind: Engine | Connection | None = None,
        **kwargs: Any,
    ) -> Engine | Connection:
        if bind is None and isinstance(self.bind, Connection):
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


class SessionRouter:
    """Replaces db.session: apps bound to a test connection get sessions on that connection.

    Any other app (a live server, a committing test) gets Flask-SQLAlchemy's usual session.
    The scope stays one session per application context, as in production.
    """

    def __init__(self) -> None:
        self.original = db.session
        self.plain: sessionmaker[Any] = db.session.session_factory
        self.connections: WeakKeyDictionary[Flask, Connection] = WeakKeyDictionary()

    def __call__(self) -> Session:
        connection = self.connections.get(current_app._get_current_object())  # type: ignore[attr-defined]
        if connection is None:
            return self.plain()
        options = {**self.plain.kw, "class_": ConnectionBoundSession}
        return sessionmaker(**options)(
            bind=connection,
            # The app's commit() releases a SAVEPOINT; the test's outer transaction stays.
            join_transaction_mode="create_savepoint",
        )

    def install(self) -> None:
        db.session = scoped_session(self, scopefunc=self.original.registry.scopefunc)

    def uninstall(self) -> None:
        db.session = self.original


def _sqlite_emit_begin(connection: Connection) -> None:
    """pysqlite starts transactions late and breaks SAVEPOINT; let SQLAlchemy emit BEGIN.

    SQLAlchemy's documented recipe, applied to this one test connection only.
    """
    connection.connection.driver_connection.isolation_level = None  # type: ignore[union-attr]
    event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))


@contextmanager
def rolled_back(app: Flask, router: SessionRouter) -> Iterator[Connection]:
    """Run everything the app does on one connection whose transaction is rolled back."""
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    if connection.dialect.name == "sqlite":
        _sqlite_emit_begin(connection)
    transaction = connection.begin()
    router.connections[app] = connection
    try:
        yield connection
    finally:
        router.connections.pop(app, None)
        if transaction.is_active:
            transaction.rollback()
        if connection.dialect.name == "sqlite":
            connection.invalidate()  # autocommit mode must not go back to the pool
        connection.close()
        engine.dispose()


@dataclass
class QueryCounter:
    """SQL statements an engine executed while counting, harness statements left out."""

    statements: list[str] = field(default_factory=list)
    counting: bool = False

    @property
    def count(self) -> int:
        return len(self.statements)

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.counting and not HARNESS_SQL.match(statement):
            self.statements.append(statement)

    @contextmanager
    def watch(self, engine: Engine) -> Iterator[QueryCounter]:
        event.listen(engine, "before_cursor_execute", self._record)
        self.counting = True
        try:
            yield self
        finally:
            self.counting = False
            event.remove(engine, "before_cursor_execute", self._record)

    def __str__(self) -> str:
        lines = [f"{self.count} statement(s):"]
        lines += [f"  {i + 1}. {' '.join(s.split())}" for i, s in enumerate(self.statements)]
        return "\n".join(lines)


def wait_until_a_lock_waits(timeout: float = 15) -> bool:
    """True once some PostgreSQL session waits on a lock (a racing request or job
    blocked by the test's open transaction), False after `timeout` seconds."""
    import time

    with db.engine.connect() as watcher:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if watcher.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                return True
    return False
