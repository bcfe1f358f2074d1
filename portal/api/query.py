"""Document 004's `q` parameter: a JSON object of filters and ordering over customers.

The format (the one Flask-Restless APIs such as document 004's use):
`q={"filters": [{"name": "name", "op": "like", "val": "%test%"}],
"order_by": [{"field": "created_at", "direction": "desc"}]}`. Only the listed fields and
operators are accepted; anything else is 400 naming `q`. A substring search on name or
email is the console's search (search_conditions.py), so it finds the same customers
and uses the same indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.sql import ColumnElement

from portal.core.errors import ServiceError
from portal.core.inputs import loads_json
from portal.customers.models import Customer
from portal.customers.search_conditions import keyword_condition, uses_trigram
from portal.customers.search_filters import KEYWORD_MAX, CustomerFilters

COLUMNS = {
    "id": Customer.id,
    "customer_id": Customer.id,
    "name": Customer.full_name,
    "first_name": Customer.first_name,
    "last_name": Customer.last_name,
    "email": Customer.email,
    "phone_number": Customer.phone,
    "unconfirmed_phone_number": Customer.unconfirmed_phone,
    "country_code": Customer.country_code,
    "external_customer_id": Customer.external_customer_id,
    "external_customer_code": Customer.external_customer_code,
    "created_at": Customer.created_at,
    "created_by": Customer.created_by,
    "modified_at": Customer.modified_at,
    "modified_by": Customer.modified_by,
    "confirmed_at": Customer.confirmed_at,
}
# Filters the console's search answers (see _console_search), by "Search in" choice.
CONSOLE_SEARCH = {"name": "NAME", "email": "EMAIL"}
DATE_FIELDS = {"created_at", "modified_at", "confirmed_at"}
INT_FIELDS = {"id", "customer_id", "external_customer_id"}
OPERATORS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "eq": lambda c, v: c == v,
    "==": lambda c, v: c == v,
    "neq": lambda c, v: c != v,
    "!=": lambda c, v: c != v,
    "lt": lambda c, v: c < v,
    "<": lambda c, v: c < v,
    "le": lambda c, v: c <= v,
    "<=": lambda c, v: c <= v,
    "gt": lambda c, v: c > v,
    ">": lambda c, v: c > v,
    "ge": lambda c, v: c >= v,
    ">=": lambda c, v: c >= v,
    "like": lambda c, v: c.like(v),
    "ilike": lambda c, v: c.ilike(v),
    "in": lambda c, v: c.in_(v),
    "not_in": lambda c, v: c.not_in(v),
    "is_null": lambda c, _v: c.is_(None),
    "is_not_null": lambda c, _v: c.is_not(None),
}


def _bad(message: str) -> ServiceError:
    return ServiceError("q_invalid", f"q: {message}", field="q", status=400)


def _value(field: str, op: str, raw: Any) -> Any:
    if op in ("is_null", "is_not_null"):
        return None
    if op in ("in", "not_in"):
        if not isinstance(raw, list) or len(raw) > 100:
            raise _bad(f"{op} needs a list of at most 100 values")
        return [_value(field, "eq", item) for item in raw]
    if op in ("like", "ilike") and not isinstance(raw, str):
        raise _bad(f"{op} needs a string")
    if field in INT_FIELDS and op not in ("like", "ilike"):
        if isinstance(raw, bool) or not isinstance(raw, int) or abs(raw) > 2**62:
            raise _bad(f"{field} needs an integer")
        return raw
    if field in DATE_FIELDS:
        try:
            return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError:
            raise _bad(f"{field} needs an ISO 8601 date") from None
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise _bad(f"{field} needs a string")
    return str(raw)[:255]


@dataclass(frozen=True)
class QTerms:
    """What a `q` asks for: WHERE terms, and ORDER BY terms before the id tiebreak."""

    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    orders: list[ColumnElement[Any]] = field(default_factory=list)
    # True when a condition is a PostgreSQL trigram search: counting its matches costs
    # more than the page (the console reports the planner's estimate there too).
    trigram: bool = False


def _console_filters(item: dict[str, Any]) -> CustomerFilters | None:
    """A `%term%` like/ilike on name or email, as the console's search writes it (trigram
    indexes on PostgreSQL, the same case-insensitive match); None for any other filter."""
    search_in = CONSOLE_SEARCH.get(item["name"])
    value = item.get("val")
    if search_in is None or item.get("op", "eq") not in ("like", "ilike"):
        return None
    if not isinstance(value, str) or len(value) < 3 or not value.startswith("%"):
        return None
    term = value[1:-1] if value.endswith("%") else ""
    if not term or "%" in term or "_" in term or len(term) > KEYWORD_MAX:
        return None
    return CustomerFilters(keyword=term, search_in=search_in)


def _check(item: Any) -> None:
    if not isinstance(item, dict) or item.get("name") not in COLUMNS:
        raise _bad("each filter needs a known name: " + ", ".join(sorted(COLUMNS)))
    op = item.get("op", "eq")
    if op not in OPERATORS:
        raise _bad("unknown op " + str(op)[:20])
    _value(item["name"], op, item.get("val"))


def _condition(merchant_id: int, item: dict[str, Any]) -> tuple[ColumnElement[bool], bool]:
    """One filter's WHERE term, and whether it is a trigram search."""
    console = _console_filters(item)
    if console is not None:
        condition = keyword_condition(merchant_id, console)
        assert condition is not None
        return condition, uses_trigram(console)
    op = item.get("op", "eq")
    value = _value(item["name"], op, item.get("val"))
    return OPERATORS[op](COLUMNS[item["name"]], value), False


def _order(item: Any) -> ColumnElement[Any]:
    if not isinstance(item, dict) or item.get("field") not in COLUMNS:
        raise _bad("each order_by needs a known field")
    direction = str(item.get("direction", "asc")).lower()
    if direction not in ("asc", "desc"):
        raise _bad("direction is asc or desc")
    column = COLUMNS[item["field"]]
    return column.desc() if direction == "desc" else column.asc()


def q_terms(merchant_id: int, raw: str | None) -> QTerms:
    """Document 004's filters and ordering for one merchant's customers (400 on q)."""
    if not raw:
        return QTerms()
    try:
        spec = loads_json(raw)
    except ValueError:
        raise _bad("not valid JSON") from None
    if not isinstance(spec, dict) or set(spec) - {"filters", "order_by"}:
        raise _bad("use an object with filters and order_by")
    filters = spec.get("filters") or []
    order_by = spec.get("order_by") or []
    if not isinstance(filters, list) or not isinstance(order_by, list) or len(filters) > 20:
        raise _bad("filters and order_by must be lists")
    for item in filters:
        _check(item)
    found = [_condition(merchant_id, item) for item in filters]
    return QTerms(
        [condition for condition, _ in found],
        [_order(item) for item in order_by[:5]],
        trigram=any(trigram for _, trigram in found),
    )
