"""Values formatted as text by the database, for exports that write millions of cells.

Why: formatting two timestamps per row in Python (time zone conversion, then strftime)
cost about a tenth of an XLSX export's time; the database does it while producing the
row, with one expression per dialect.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class utc_minute(FunctionElement[str]):
    """`YYYY-MM-DD HH:MM` of a timestamp in UTC, NULL for NULL."""

    type = String()
    inherit_cache = True
    name = "utc_minute"


def _argument(element: utc_minute, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return compiler.process(column, **kw)


@compiles(utc_minute, "postgresql")
def _postgresql(element: utc_minute, compiler: SQLCompiler, **kw: Any) -> str:
    column = _argument(element, compiler, **kw)
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"


@compiles(utc_minute, "sqlite")
def _sqlite(element: utc_minute, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as ISO text (the app writes them in UTC).
    return f"strftime('%Y-%m-%d %H:%M', {_argument(element, compiler, **kw)})"


def text_or_empty(value: ColumnElement[Any]) -> ColumnElement[str]:
    """The value, or '' for NULL: export cells are never NULL."""
    return func.coalesce(value, "")
