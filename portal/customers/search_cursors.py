"""The "next page" cursor of the customer list: the position of a page's last row.

A cursor lets a deep page be read by keyset, which costs the same at any depth, where
an offset would read and drop every row before it. It travels in links and API answers,
so it is opaque, URL-safe and checked when it comes back (a stale or edited one is a
ServiceError, never a server error).

LATEST_CUSTOMER walks (created_at, id) downwards. LAST_ORDER walks two segments (see
search_scans.keyset_segments): customers with orders by (last_order_at, id), then those
without by id; the key says which segment it is in.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.core.errors import ServiceError
from portal.core.inputs import loads_json


@dataclass(frozen=True)
class ListKey:
    """Where a page ended: the list reads on from the row after this one."""

    segment: int  # 0: created_at / with orders; 1: customers without orders
    at: datetime | None
    id: int


def encode_cursor(key: ListKey) -> str:
    """`key` as the short URL-safe text that links and the API carry."""
    raw = json.dumps([key.segment, key.at.isoformat() if key.at else None, key.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> ListKey:
    """The key an encoded cursor holds; ServiceError("cursor_invalid") when it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        segment, at, pk = loads_json(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(at) if at is not None else None
        if segment not in (0, 1) or not isinstance(pk, int) or (segment == 0 and moment is None):
            raise ValueError(cursor)
        return ListKey(segment, moment, pk)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ServiceError(
            "cursor_invalid", "That page link is no longer valid.", field="cursor", status=400
        ) from exc


def key_of(customer_row: Any, order_by: str) -> ListKey:
    """The key of a Customer or a row (with id, created_at, last_order_at) in that order."""
    if order_by == "LAST_ORDER":
        if customer_row.last_order_at is None:
            return ListKey(1, None, customer_row.id)
        return ListKey(0, customer_row.last_order_at, customer_row.id)
    return ListKey(0, customer_row.created_at, customer_row.id)
