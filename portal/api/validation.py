"""Strict JSON bodies: invalid JSON, non-objects and wrong types answer 400/422 naming the field."""

from __future__ import annotations

from typing import Any

from flask import request

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
