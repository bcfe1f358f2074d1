"""An import's rows, a batch at a time: looked up together, written in one flush.

Why: row by row, each row cost about ten statements (a lookup by code, one by phone, the
phone-in-use check, two savepoints, the INSERT, the audit and event INSERTs, a webhook
lookup), about 10 ms: 16 minutes for the 100,000 rows a file may hold. A batch looks its
matches up in two queries, validates in Python with the merchant's categories read once,
and writes its customers, audit entries and events in one go: the new customers as plain
values in one COPY on PostgreSQL (portal/core/bulk_ids.py insert_loaded; SQLite flushes
them), the updates in one flush.

The rules stay those of document 003's create and update: the same services validate
(`new_customer`, `stage_update`). A row the batch cannot settle alone goes through the
row-at-a-time path the caller gives (`one_row`), after the batch: a code, phone or
customer met earlier in the same batch, a phone that changes, a phone held by a deleted
customer. So does every row of a batch whose flush lost a race with another writer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.core.audit import record_changes
from portal.core.bulk_ids import insert_loaded
from portal.core.errors import ServiceError
from portal.core.phone import normalise_phone
from portal.customers.models import Customer
from portal.customers.services import creation, new_customer, stage_update, updating
from portal.customers.tags import set_tags, tag_new_customers
from portal.extensions import db
from portal.merchants.models import Merchant

Row = tuple[int, dict[str, str]]
# What the caller supplies: the row's fields, the refusal of a new row missing a
# required column, and the row-at-a-time path (which raises the row's refusal).
FieldsOf = Callable[[dict[str, str]], dict[str, Any]]
Required = Callable[[dict[str, Any]], ServiceError | None]
OneRow = Callable[[dict[str, str]], bool]
# The row's checked tags, None to keep the customer's; raises the row's refusal.
TagsOf = Callable[[dict[str, str]], list[str] | None]


@dataclass
class Settled:
    """What became of one row: created, updated, or refused with `error`; `customer` is
    the one the batch wrote (None for a row left to the row path)."""

    number: int
    row: dict[str, str]
    created: bool = False
    error: ServiceError | None = None
    customer: Customer | None = None


@dataclass(frozen=True)
class Keys:
    """How a row finds its customer: external_customer_code, then the phone (E.164)."""

    code: str | None
    e164: str | None

    def marks(self) -> set[str]:
        return {
            m for m in (self.code and f"code:{self.code}", self.e164 and f"phone:{self.e164}") if m
        }


def keys_of(merchant: Merchant, row: dict[str, str]) -> Keys:
    e164 = None
    if row.get("phone"):
        with contextlib.suppress(ServiceError):  # a bad phone is the row's error already
            e164 = normalise_phone(row["phone"], merchant.country_code).e164
    return Keys(row.get("external_customer_code") or None, e164)


@dataclass
class Matches:
    """The merchant's customers the batch's keys name, read in two queries."""

    by_code: dict[str, Customer] = field(default_factory=dict)
    by_phone: dict[str, Customer] = field(default_factory=dict)
    # Phones held by any customer, deleted ones included (a new row cannot take them).
    taken: set[str] = field(default_factory=set)

    def find(self, keys: Keys) -> Customer | None:
        """importing.find_match's answer: by code first, then by phone."""
        if keys.code and keys.code in self.by_code:
            return self.by_code[keys.code]
        return self.by_phone.get(keys.e164) if keys.e164 else None

    def needs_row_path(self, keys: Keys, match: Customer | None) -> bool:
        """A row whose phone would change its customer's, or that a deleted customer's
        phone blocks: the row path gives the exact refusal or change."""
        if match is None:
            return keys.e164 in self.taken
        return keys.e164 is not None and keys.e164 not in (match.phone, match.unconfirmed_phone)


def look_up(merchant_id: int, keys: list[Keys]) -> Matches:
    found = Matches()
    codes = {k.code for k in keys if k.code}
    phones = {k.e164 for k in keys if k.e164}
    if codes:
        for customer in db.session.scalars(
            select(Customer).where(
                Customer.merchant_id == merchant_id,
                Customer.external_customer_code.in_(codes),
                Customer.deleted_at.is_(None),
            )
        ):
            found.by_code.setdefault(customer.external_customer_code or "", customer)
    if phones:
        for customer in db.session.scalars(
            select(Customer).where(
                Customer.merchant_id == merchant_id,
                or_(Customer.phone.in_(phones), Customer.unconfirmed_phone.in_(phones)),
            )
        ):
            _add_phones(found, customer, phones)
    return found


def _add_phones(found: Matches, customer: Customer, phones: set[str]) -> None:
    found.taken.update(p for p in (customer.phone, customer.unconfirmed_phone) if p in phones)
    if customer.deleted_at is not None:
        return
    if customer.phone in phones:
        found.by_phone[customer.phone] = customer  # a confirmed phone wins
    if customer.unconfirmed_phone in phones:
        found.by_phone.setdefault(customer.unconfirmed_phone, customer)


@dataclass
class _Staged:
    settled: Settled
    customer: Customer | None = None
    changes: dict[str, list[Any]] | None = None
    tags: list[str] | None = None


class Batch:
    """One batch of rows, applied by `apply`."""

    def __init__(
        self,
        merchant: Merchant,
        rows: list[Row],
        *,
        actor: str,
        categories: frozenset[str],
        fields_of: FieldsOf,
        required: Required,
        tags_of: TagsOf | None = None,
    ) -> None:
        self.merchant, self.rows, self.actor = merchant, rows, actor
        self.categories, self.fields_of, self.required = categories, fields_of, required
        self.tags_of = tags_of
        self._new: list[Customer] = []

    def apply(self, one_row: OneRow) -> list[Settled]:
        """Every row's outcome, in no particular order."""
        try:
            with db.session.begin_nested():
                settled, slow = self._write()
        except (IntegrityError, StaleDataError):
            self._forget_written()
            settled, slow = [], self.rows
        settled.extend(_row_path(number, row, one_row) for number, row in slow)
        return settled

    def _write(self) -> tuple[list[Settled], list[Row]]:
        keys = [keys_of(self.merchant, row) for _, row in self.rows]
        matches = look_up(self.merchant.id, keys)
        staged: list[_Staged] = []
        slow: list[Row] = []
        seen: set[str] = set()
        with db.session.no_autoflush:
            for (number, row), key in zip(self.rows, keys, strict=True):
                match = matches.find(key)
                marks = key.marks() | ({f"id:{match.id}"} if match is not None else set())
                if seen & marks or matches.needs_row_path(key, match):
                    slow.append((number, row))
                else:
                    staged.append(self._stage(number, row, match))
                seen |= marks
        new = self._new = [s.customer for s in staged if s.customer and s.settled.created]
        if not insert_loaded(new):
            db.session.add_all(new)
        db.session.flush()
        record_changes(_changes(staged, self.actor))
        self._tag(staged)
        return [s.settled for s in staged], slow

    def _forget_written(self) -> None:
        """The new customers of a batch whose savepoint rolled back leave the session:
        insert_loaded made them look loaded, and their rows are gone."""
        for customer in self._new:
            if customer in db.session:
                db.session.expunge(customer)
        self._new = []

    def _tag(self, staged: list[_Staged]) -> None:
        """The rows' tags, after their customers: the new ones' in one go, an update's
        through set_tags (it has tags to compare with)."""
        new: list[tuple[Customer, list[str]]] = []
        for item in staged:
            if item.customer is None or item.tags is None:
                continue
            if item.settled.created:
                new.append((item.customer, item.tags))
            else:
                set_tags(item.customer, item.tags, actor=self.actor)
        tag_new_customers(self.merchant.id, new, actor=self.actor)

    def _stage(self, number: int, row: dict[str, str], match: Customer | None) -> _Staged:
        data = self.fields_of(row)
        try:
            tags = self.tags_of(row) if self.tags_of is not None else None
            if match is not None:
                changes = stage_update(match, data, actor=self.actor, categories=self.categories)
                return _Staged(Settled(number, row, customer=match), match, changes, tags)
            refusal = self.required(data)
            if refusal is not None:
                raise refusal
            customer = new_customer(
                self.merchant, data, actor=self.actor, confirmed=True, categories=self.categories
            )
        except ServiceError as err:
            return _Staged(Settled(number, row, error=err))
        return _Staged(Settled(number, row, created=True, customer=customer), customer, tags=tags)


def _changes(staged: list[_Staged], actor: str) -> list[dict[str, Any]]:
    """The audit entries and events of the batch's writes, in the file's order."""
    out = []
    for item in staged:
        if item.customer is None:
            continue
        if item.settled.created:
            out.append(creation(item.customer))
        elif item.changes:
            out.append(updating(item.customer, item.changes, actor=actor))
    return out


def _row_path(number: int, row: dict[str, str], one_row: OneRow) -> Settled:
    try:
        with db.session.begin_nested():
            created = one_row(row)
    except ServiceError as err:
        return Settled(number, row, error=err)
    return Settled(number, row, created=created)
