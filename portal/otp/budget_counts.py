"""The SMS budget's counts of numbers texted lately: read from the database at most once
every few seconds per process, and kept up to date here with the process's own sends.

Why: the budget counted the last hour's challenges on every send, so every sign-up read
every number texted in the last hour, by every merchant. At the 60 sign-ups a second an
instance serves, that is 216,000 rows per sign-up by the end of an hour; measured, the
count took 7 ms at 8,600 rows, and the same two workers fell from 97 to 67 sign-ups a
second within one run as the rows piled up. Now each process reads two small
aggregates (every merchant's numbers in the last minute and hour; one merchant's numbers
in the hour by prefix) at most every SMS_BUDGET_COUNTS_SECONDS, and adds each send it
lets through. Within a process the counts stay exact; sends by other processes show
once the snapshot is renewed, so a cap can be passed by what the other processes send
in those few seconds, a bound the hourly caps (thousands) absorb.

Not a `forget_on_change` memory: every send changes a challenge, and forgetting on each
would bring back the count per send. The snapshots are renewed by age, measured with the
caller's `now`, so a test that moves the clock gets fresh counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from threading import Lock
from typing import NamedTuple

import cachetools
from flask import current_app
from sqlalchemy import func, select

from portal.core.memory import app_memory
from portal.core.time import as_utc
from portal.extensions import db
from portal.otp.models import OtpChallenge

# The prefix a pumping run shares: country code and the first digits of the number.
PREFIX_DIGITS = 7
EXTENSION = "sms_budget_counts"
TTL_SETTING = "SMS_BUDGET_COUNTS_SECONDS"
TTL_SECONDS = 5.0
MAX_MERCHANTS = 10_000
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


class RecentSends(NamedTuple):
    """Numbers texted lately, as the budget's three caps count them."""

    merchant: int  # this merchant's other numbers in the last hour
    prefix: int  # of those, the ones sharing this number's prefix
    minute: int  # every merchant's numbers in the last minute
    hour: int  # every merchant's numbers in the last hour


@dataclass
class _AllMerchants:
    taken: datetime
    minute: int
    hour: int


@dataclass
class _OneMerchant:
    taken: datetime
    numbers: int
    by_prefix: Counter[str] = field(default_factory=Counter)


class BudgetCounts:
    """One process's snapshots, renewed when older than `ttl` seconds (0: every time)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = timedelta(seconds=max(ttl, 0.0))
        self._lock = Lock()  # gunicorn's gthread workers send from many threads
        self._all: _AllMerchants | None = None
        self._merchants: cachetools.LRUCache[int, _OneMerchant] = cachetools.LRUCache(MAX_MERCHANTS)

    def _fresh(self, taken: datetime, now: datetime) -> bool:
        return taken <= now < taken + self.ttl

    def counts(
        self, merchant_id: int, e164: str, now: datetime, sent_before: datetime | None
    ) -> RecentSends:
        """The caps' counts for a send to `e164`, whose challenge was last sent
        `sent_before` (None: never), leaving that number itself out of the merchant's."""
        with self._lock:
            every, one = self._all, self._merchants.get(merchant_id)
        if every is None or not self._fresh(every.taken, now):
            every = _read_all(now)
            with self._lock:
                self._all = every
        if one is None or not self._fresh(one.taken, now):
            one = _read_merchant(merchant_id, now)
            with self._lock:
                self._merchants[merchant_id] = one
        itself = 1 if _within(sent_before, now, HOUR) else 0
        with self._lock:
            return RecentSends(
                merchant=max(one.numbers - itself, 0),
                prefix=max(one.by_prefix[e164[:PREFIX_DIGITS]] - itself, 0),
                minute=every.minute,
                hour=every.hour,
            )

    def sent(
        self, merchant_id: int, e164: str, now: datetime, sent_before: datetime | None
    ) -> None:
        """Count a send the budget let through, in the snapshots it was checked against."""
        with self._lock:
            one, every = self._merchants.get(merchant_id), self._all
            if not _within(sent_before, now, HOUR):
                if one is not None:
                    one.numbers += 1
                    one.by_prefix[e164[:PREFIX_DIGITS]] += 1
                if every is not None:
                    every.hour += 1
            if every is not None and not _within(sent_before, now, MINUTE):
                every.minute += 1


def _within(sent: datetime | None, now: datetime, window: timedelta) -> bool:
    at = as_utc(sent)
    return at is not None and at >= now - window


def _read_all(now: datetime) -> _AllMerchants:
    minute, hour = db.session.execute(
        select(
            func.count().filter(OtpChallenge.last_sent_at >= now - MINUTE),
            func.count(),
        ).where(OtpChallenge.last_sent_at >= now - HOUR)
    ).one()
    return _AllMerchants(now, int(minute or 0), int(hour or 0))


def _read_merchant(merchant_id: int, now: datetime) -> _OneMerchant:
    prefix = func.substr(OtpChallenge.phone, 1, PREFIX_DIGITS)
    rows = db.session.execute(
        select(prefix, func.count())
        .where(OtpChallenge.merchant_id == merchant_id, OtpChallenge.last_sent_at >= now - HOUR)
        .group_by(prefix)
    ).all()
    by_prefix = Counter({str(p): int(n) for p, n in rows})
    return _OneMerchant(now, sum(by_prefix.values()), by_prefix)


def budget_counts() -> BudgetCounts:
    """This app's counts (one per process)."""
    ttl = float(current_app.config.get(TTL_SETTING, TTL_SECONDS))
    return app_memory(EXTENSION, lambda: BudgetCounts(ttl))
