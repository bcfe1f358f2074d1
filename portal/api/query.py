"""Document 004's `q` parameter: a JSON object of filters and ordering over customers.

The format (the one Flask-Restless APIs such as document 004's use):
`q={"filters": [{"name": "name", "op": "like", "val": "%test%"}],
"order_by": [{"field": "created_at", "direction": "desc"}]}`. Only the listed fields and
operators are accepted; anything else is 400 naming `q`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.sql import ColumnElement

from portal.core.errors import ServiceError
from portal.core.inputs import loads_json
from portal.customers.models import Customer

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


def apply_q(query: Select, raw: str | None) -> Select:
    """Add document 004's filters and ordering to a customer query."""
    if not raw:
        return query.order_by(Customer.id)
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
        if not isinstance(item, dict) or item.get("name") not in COLUMNS:
            raise _bad("each filter needs a known name: " + ", ".join(sorted(COLUMNS)))
        op = item.get("op", "eq")
        if op not in OPERATORS:
            raise _bad("unknown op " + str(op)[:20])
        column = COLUMNS[item["name"]]
        query = query.where(OPERATORS[op](column, _value(item["name"], op, item.get("val"))))
    orders = []
    for item in order_by[:5]:
        if not isinstance(item, dict) or item.get("field") not in COLUMNS:
            raise _bad("each order_by needs a known field")
        direction = str(item.get("direction", "asc")).lower()
        if direction not in ("asc", "desc"):
            raise _bad("direction is asc or desc")
        column = COLUMNS[item["field"]]
        orders.append(column.desc() if direction == "desc" else column.asc())
    return query.order_by(*orders, Customer.id)
