"""Strict JSON bodies: invalid JSON, non-objects and wrong types answer 400/422 naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from portal.core.dates import parse_day
from portal.core.errors import ServiceError


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object, or a ServiceError the error handler answers."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ServiceError("body_missing", "A JSON body is required", status=400)
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise ServiceError("json_invalid", "The body is not valid JSON", status=400)
    if not isinstance(data, dict):
        raise ServiceError("json_invalid", "The body must be a JSON object", status=400)
    return data


def reject_unknown(data: dict[str, Any], allowed: set[str] | frozenset[str]) -> None:
    """Refuse any field the endpoint does not know, naming it."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ServiceError(
            "unknown_field", f"Unknown or read-only field: {unknown[0]}", field=unknown[0]
        )


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer query parameter, bounded, else 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ServiceError(
            "invalid", f"{name} must be an integer", field=name, status=400
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum is not None else ""
        raise ServiceError(
            "invalid", f"{name} must be at least {minimum}{limit}", field=name, status=400
        )
    return value


# Database ids are 32-bit; other integers (phones typed as numbers) stay within 2**53.
INT_ID_MAX = 2**31 - 1
INT_MAX = 2**53 - 1
BIG_IDS = frozenset({"external_customer_id"})
TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", float: "a number"}


def check_fields(
    data: dict[str, Any],
    spec: dict[str, tuple[type, ...]],
    *,
    required: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Refuse unknown fields, missing required ones and wrong types, naming the field.

    `spec` maps each known field to the accepted Python types; None is accepted for
    optional fields. bool is never accepted where only int is (JSON true is not 1).
    """
    reject_unknown(data, set(spec))
    for name in sorted(required):
        if data.get(name) in (None, ""):
            raise ServiceError("required", f"{name} is required", field=name)
    for name, value in data.items():
        if value is None and name not in required:
            continue
        types = spec[name]
        wrong = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
        if wrong:
            expected = " or ".join(TYPE_NAMES.get(t, t.__name__) for t in types)
            raise ServiceError("invalid", f"{name} must be {expected}", field=name)
        if isinstance(value, int) and not isinstance(value, bool):
            limit = INT_ID_MAX if name.endswith("id") and name not in BIG_IDS else INT_MAX
            if abs(value) > limit:
                raise ServiceError("invalid", f"{name} is out of range", field=name)
    return data


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


def params() -> dict[str, Any]:
    """Query string and JSON body merged (document 003 reads either); the body wins."""
    merged: dict[str, Any] = dict(request.args.items())
    if request.get_data(cache=True).strip():
        merged.update(json_body())
    return merged


def int_value(
    name: str, raw: Any, default: int, *, minimum: int = 1, maximum: int | None = None
) -> int:
    """An integer from a query string or a body, bounded, else 400 naming it."""
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise ServiceError("invalid", f"{name} must be an integer", field=name, status=400)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ServiceError(
            "invalid", f"{name} must be an integer", field=name, status=400
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum is not None else ""
        raise ServiceError(
            "invalid", f"{name} must be at least {minimum}{limit}", field=name, status=400
        )
    return value
