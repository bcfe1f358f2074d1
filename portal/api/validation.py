"""Conversions the declared models leave to the handlers: document 003's numbers-or-text
and its yyyy-mm dates named by parameter."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.core.dates import parse_day
from portal.core.errors import ServiceError


def text_or_number(value: Any) -> str | None:
    """Document 003 types phones and postal codes as numeric; accept both spellings."""
    if value is None:
        return None
    return str(value)


def date_param(name: str, raw: Any) -> date | None:
    """A yyyy-mm-dd date, else 400 naming the parameter."""
    try:
        return parse_day(raw, field=name)
    except ServiceError as exc:
        raise ServiceError(exc.code, field=name, status=400) from None
