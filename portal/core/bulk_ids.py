"""Ids for many new rows at once, taken from the table's sequence before the flush.

Why: with its ids unknown, the flush of a batch of new rows is one INSERT … VALUES (…),
(…) … RETURNING id, and psycopg rewrites that statement's placeholders in Python, about
40 µs each: for an import batch of 500 customers of 60 columns, more than the database
spends writing them. With the ids already set nothing is returned, and the flush sends
the rows as one pipelined executemany of a short statement psycopg prepares once
(the flush of 4,000 customers went from 4.7 s to 1.9 s, profiled).

SQLite has no sequence and its driver no such cost: there the flush numbers the rows.

`insert_loaded` goes one step further for an import's new customers: with the ids known
and every column's value computed here, the rows go in as plain values, not through the
flush (which would also have returned the consent flags, whose server defaults of
migration 0024 made it one INSERT … VALUES of the whole batch again), and `copy_rows`
writes such values with COPY rather than an executemany.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import make_transient_to_detached

from portal.core.memory import rows_written
from portal.core.models import IdMixin
from portal.extensions import db


def next_ids(model: type[IdMixin], count: int) -> list[int] | None:
    """The next `count` ids of the model's table, taken from its sequence in one query
    (PostgreSQL); None where the database numbers rows only as it writes them (SQLite)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    if not count:
        return []
    sequence = func.pg_get_serial_sequence(model.__table__.name, "id")
    query = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
    with db.session.no_autoflush:  # rows waiting for these ids must not be flushed first
        return list(db.session.scalars(query))


def insert_loaded(rows: Sequence[IdMixin]) -> bool:
    """Write new rows of one table (ORM objects not yet in the session) with one COPY
    (`copy_rows`), then put them in the session as if just loaded: later changes to them
    are flushed as UPDATEs. False, with nothing done, where ids come only from the
    INSERT (SQLite): the caller adds and flushes them.

    Why: the ORM's flush of an import batch (state tracking, a parameter set built per
    object, bookkeeping after) cost more than the INSERT itself. Each column gets the
    value the flush would send: the object's, else the column's Python default; a
    column only the server fills makes this answer False."""
    if not rows:
        return True
    mapper = inspect(type(rows[0]))
    columns = [(mapper.get_property_by_column(c).key, c) for c in mapper.local_table.columns]
    if any(not _default_known(column) for _, column in columns):
        return False
    ids = next_ids(type(rows[0]), len(rows))
    if ids is None:
        return False
    values = []
    for row, new_id in zip(rows, ids, strict=True):
        # Straight into the object's dict, not through its instrumented attributes (4.4 s
        # of a profiled 20,000-row import's 28 s): the row is transient, and
        # make_transient_to_detached below takes whatever its dict holds as the loaded,
        # unchanged state. Every column is set, None included: one left out would be
        # expired once the row is attached, and read back with a query of its own.
        state = vars(row)
        state["id"] = new_id
        record: dict[str, Any] = {}
        for key, column in columns:
            value = state.get(key)
            if value is None and column.default is not None:
                value = state[key] = _default_value(column)
            elif key not in state:
                state[key] = value
            record[column.key] = value
        values.append(record)
    copy_rows(type(rows[0]), values)
    for row in rows:
        make_transient_to_detached(row)
    db.session.add_all(rows)
    return True


def _default_known(column: Column[Any]) -> bool:
    """A column whose insert value Python can tell: no default, or a plain or callable one
    (not a sequence or SQL expression), and no server default without a Python one."""
    default = column.default
    if default is None:
        return column.server_default is None
    return bool(default.is_scalar or default.is_callable)


def _default_value(column: Column[Any]) -> Any:
    default = column.default
    assert default is not None
    return default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]


def copy_rows(model: type[IdMixin], rows: list[dict[str, Any]]) -> None:
    """Write rows of plain values (every row the same keys, ids included) into the
    model's table with one COPY (PostgreSQL), in the session's transaction.

    Why: psycopg's executemany still builds, sends and reads back one prepared statement
    per row; COPY streams the rows, and an import batch's 500 customers, audit lines and
    events took a fifth less time (20,000 rows: 24.0 s → 19.3 s, measured side by side).
    What an INSERT would do is kept: each value through its column type's bind
    processing, a missing column given its Python default (else the server's), a
    database error raised as SQLAlchemy's (IntegrityError for a taken phone), and the
    merchants' in-process memories forgotten (portal/core/memory.py)."""
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    given = rows[0].keys()
    columns = [c for c in model.__table__.columns if c.key in given or c.default is not None]
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"COPY {quote(model.__table__.name)} ({', '.join(quote(c.name) for c in columns)}) "
        "FROM STDIN"
    )
    fields = [(c.key, process) for c, process in zip(columns, processors, strict=True)]
    missing = [c for c in columns if c.key not in given]  # given their defaults per row
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                if missing:
                    row = {**row, **{c.key: _default_value(c) for c in missing}}
                # None goes through the processor too, as Core does.
                copy.write_row([row[k] if p is None else p(row[k]) for k, p in fields])
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc
    rows_written(model, (row.get("merchant_id") for row in rows))
