"""One customer's personal data through the open API: the export and the erasure."""

from __future__ import annotations

from typing import Any

from portal.api.schemas.base import Answer, Body, Query
from portal.api.schemas.common import IdOrText


class CustomerDataQuery(Query):
    id: IdOrText


class CustomerErase(Body):
    id: IdOrText


class Verifications(Answer):
    codes: list[dict[str, Any]]
    events: list[dict[str, Any]]


class MergedRecord(Answer):
    """An earlier record of the same person merged into this one (its data is listed)."""

    id: int
    merged_at: str | None


class CustomerData(Answer):
    """portal.customers.personal_data.export_customer's dict, as the console downloads it."""

    exported_at: str
    profile: dict[str, Any]
    consents: dict[str, Any]
    addresses: list[dict[str, Any]]
    payment_card: dict[str, Any] | None
    orders: list[dict[str, Any]]
    edit_links: list[dict[str, Any]]
    verifications: Verifications
    tags: list[str]
    notes: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    merged_records: list[MergedRecord]


class ErasedRef(Answer):
    customer_id: int


class CustomerErased(Answer):
    response: str
    data: ErasedRef
