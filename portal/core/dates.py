"""Dates typed by people and clients: one way to read a day and to check a range, for the
customer list filters, the order history, and both APIs."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from portal.core.error_codes import DateError
from portal.core.errors import ServiceError, ValidationFailed

# Python's fromisoformat also reads 20240101 and 2024-W01-1; people and documents write this.
DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(raw: Any, *, field: str) -> date | None:
    """A yyyy-mm-dd day (a date passes through), None when empty; else DATE_INVALID."""
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    try:
        if not DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ServiceError(DateError.DATE_INVALID, field=field) from None


def day_range(
    start_raw: Any,
    end_raw: Any,
    *,
    start_field: str = "start_date",
    end_field: str = "end_date",
    status: int = 422,
) -> tuple[date | None, date | None]:
    """Both ends of an inclusive range of days, each optional; every problem at once
    (ValidationFailed naming the fields), the range's on the end field."""
    problems: dict[str, str | ServiceError] = {}
    days: dict[str, date | None] = {}
    for field, raw in ((start_field, start_raw), (end_field, end_raw)):
        try:
            days[field] = parse_day(raw, field=field)
        except ServiceError as exc:
            problems[field] = exc
            days[field] = None
    start, end = days[start_field], days[end_field]
    if start and end and start > end:
        problems[end_field] = ServiceError(DateError.DATE_RANGE_INVALID, field=end_field)
    if problems:
        raise ValidationFailed(problems, status=status)
    return start, end
