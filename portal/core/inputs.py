"""What the edge accepts, once for pages and the API: ids, JSON and storable text.

Why here: each handler parsed these for itself (`isdigit()` then `int()`, `json.loads`,
a NUL check), and each way had its own crash: `"²".isdigit()` is true but `int("²")`
raises, JSON nested 3,000 deep raises RecursionError, and a lone surrogate reaches the
database driver, which cannot encode it. These functions are the only ways in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from portal.core.error_codes import InputError
from portal.core.errors import ServiceError

ID_MAX = 2**31 - 1  # database ids are 32-bit integers
MAX_JSON_DEPTH = 32
# C0 controls but tab, newline and carriage return; DEL; and UTF-16 surrogates, which
# only appear alone (decoded from JSON "\ud800") and no database can store.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
CONTROL_IN_PATH = re.compile("[\x00-\x1f\x7f]")


def parse_id(raw: object) -> int | None:
    """A positive 32-bit id written in plain ASCII digits, else None."""
    text = str(raw).strip() if raw is not None else ""
    if not is_digits(text):
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None


def ascii_digits(text: str) -> str:
    """Every Unicode decimal digit as its ASCII digit (`১২৩` -> `123`), the rest as is:
    a code or card number typed on a Bengali or Arabic keyboard reads the same."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def is_digits(text: str) -> bool:
    """Plain ASCII digits only (`"²".isdigit()` is true, and `int("²")` raises)."""
    return text.isascii() and text.isdecimal()


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iterative)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def loads_json(text: str | bytes) -> Any:
    """json.loads, refusing nesting deeper than MAX_JSON_DEPTH with a 400 ServiceError.

    Invalid JSON still raises ValueError, as json.loads does, for the caller to word.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise ServiceError(InputError.JSON_TOO_DEEP, status=400, depth=MAX_JSON_DEPTH) from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ServiceError(InputError.JSON_TOO_DEEP, status=400, depth=MAX_JSON_DEPTH)
    return value


def unstorable_text(value: Any) -> bool:
    """True when text anywhere in a (JSON) value holds a character no column can keep."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def first_unstorable_field(fields: Iterable[tuple[str, Any]]) -> str | None:
    """The name of the first (name, value) pair whose name or value cannot be stored."""
    for name, value in fields:
        if unstorable_text(name):
            return "field name"
        if unstorable_text(value):
            return name
    return None


def refuse_unstorable(fields: Iterable[tuple[str, Any]]) -> None:
    """400 naming the field when any given text cannot be stored."""
    name = first_unstorable_field(fields)
    if name is not None:
        raise ServiceError(InputError.INVALID_CHARACTERS, field=name, status=400)


def control_in_path(path: str) -> bool:
    """True for a URL path holding control characters (no route has them)."""
    return bool(CONTROL_IN_PATH.search(path))
