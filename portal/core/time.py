"""One clock for the whole app, always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time in UTC; every stored timestamp comes from here."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; treat them as the UTC they were stored as."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with a Z, the form the source documents use."""
    value = as_utc(value)
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
