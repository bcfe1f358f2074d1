"""Idempotency keys: a retried create gets the first answer instead of a second record.

An integration that lost the answer to `POST /v1/customers` (a timeout, a dropped
connection) cannot know whether the customer was made. With an `Idempotency-Key` header
it retries safely: the key, a fingerprint of the request and the answer are kept in the
same transaction as the record the request wrote, so a committed create always has its
key and a rolled-back one never does. Keys are scoped to the merchant and kept 24 hours,
as Stripe keeps them.

The stored answer is what the client already received; it holds no secret (codes are
echoed only in test mode, and edit links are not part of a create's answer).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import UTCDateTime
from portal.core.time import utcnow
from portal.extensions import db

KEEP_FOR = timedelta(hours=24)
KEY_MAX = 255


class IdempotencyKey(db.Model):
    """One key a merchant's integration sent, with the answer it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("merchant_id", "key", name="uq_idempotency_keys_merchant_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), nullable=False)
    key: Mapped[str] = mapped_column(String(KEY_MAX), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False, index=True
    )


@dataclass(frozen=True)
class Answer:
    """A stored answer to replay."""

    status_code: int
    body: str


class KeyReused(Exception):
    """The key was used before with a different request."""


class KeyInUse(Exception):
    """The key's first request has no answer on record yet."""


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same: method, path and the body as sent."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _live(merchant_id: int, key: str) -> IdempotencyKey | None:
    row = db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.merchant_id == merchant_id, IdempotencyKey.key == key
        )
    )
    if row is not None and row.created_at <= utcnow() - KEEP_FOR:
        db.session.delete(row)
        db.session.flush()
        return None
    return row


def _replay(row: IdempotencyKey, print_: str) -> Answer:
    if row.fingerprint != print_:
        raise KeyReused
    if row.status_code is None or row.body is None:
        raise KeyInUse
    return Answer(row.status_code, row.body)


def claim(merchant_id: int, key: str, print_: str) -> Answer | IdempotencyKey:
    """The earlier answer for this key, or a new claim on it for this request.

    Raises KeyReused when the key came with another request, KeyInUse when its first
    request is still running. A request racing on the same key waits on the unique index
    until the first one commits, then replays its answer.
    """
    row = _live(merchant_id, key)
    if row is None:
        claim_row = IdempotencyKey(merchant_id=merchant_id, key=key, fingerprint=print_)
        try:
            with db.session.begin_nested():
                db.session.add(claim_row)
        except IntegrityError:
            row = _live(merchant_id, key)
        else:
            return claim_row
    if row is None:
        raise KeyInUse
    return _replay(row, print_)


def remember(claim_row: IdempotencyKey, status_code: int, body: str) -> None:
    """Keep the answer with the claim; committed with the request's own writes."""
    claim_row.status_code = status_code
    claim_row.body = body
    db.session.flush()


def prune(now: datetime | None = None) -> int:
    """Delete keys past their 24 hours; returns how many went."""
    cutoff = (now or utcnow()) - KEEP_FOR
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= cutoff))
    return result.rowcount or 0
