"""A few seconds' memory of the customer list's inexact totals: "more than the cap"
answers and PostgreSQL's estimates for substring searches.

Why: a big merchant's list page counts up to COUNT_CAP + 1 rows on every request (about
2.6 ms of database CPU at a million customers: an index-only scan of 10,001 entries) and
always gets the same answer, "More than 10,000 customers". So that answer alone is kept,
per app (one per process), keyed by merchant, filters and cap, for TTL_SECONDS.

Only a capped answer is kept, never an exact total: small lists are counted afresh every
time. A kept answer can only turn wrong when matches drop to the cap or below, so any
ORM change to a merchant's customers in this process forgets that merchant's answers at
once (bulk UPDATE/DELETE statements forget all of them); a change made by another process
shows at the latest TTL_SECONDS later.

A substring search's total on PostgreSQL is the planner's estimate ("About N
customers"), which costs a compile and a plan (about 1 ms); it is kept the same way, so
paging through the results keeps one figure instead of a new guess per page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from flask import current_app

from portal.core.memory import Kept, app_memory, forget_on_change
from portal.customers.models import Customer

TTL_SECONDS = 5.0
MAX_ENTRIES = 512
EXTENSION = "capped_customer_counts"
# App setting to change the TTL (seconds; 0 turns the memory off).
TTL_SETTING = "CUSTOMER_COUNT_CACHE_SECONDS"


class CappedCounts:
    """Which (merchant, filters, cap) had more than `cap` matches, and the estimates of
    substring searches, each for `ttl` seconds (two memories under one rule)."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._over_cap = Kept(maxsize=MAX_ENTRIES, ttl=ttl, clock=lambda: self.clock())
        self._estimates = Kept(maxsize=MAX_ENTRIES, ttl=ttl, clock=lambda: self.clock())
        self.ttl = ttl
        self.clock = clock

    def over_cap(self, merchant_id: int, filters: Hashable, cap: int) -> bool:
        """True while a recent count of these filters went past `cap`."""
        return bool(self._over_cap.get((merchant_id, filters, cap), False))

    def remember_over_cap(self, merchant_id: int, filters: Hashable, cap: int) -> None:
        self._over_cap.put((merchant_id, filters, cap), True)

    def estimate(self, merchant_id: int, filters: Hashable) -> int | None:
        """The estimate kept for these filters, while it is fresh."""
        return self._estimates.get((merchant_id, filters))

    def remember_estimate(self, merchant_id: int, filters: Hashable, value: int) -> None:
        self._estimates.put((merchant_id, filters), value)

    def forget(self, merchant_id: int | None = None) -> None:
        """Drop one merchant's answers, or every answer when `merchant_id` is None."""
        self._over_cap.forget(merchant_id)
        self._estimates.forget(merchant_id)


def capped_counts() -> CappedCounts:
    """The current app's memory (created on first use, so every app has its own)."""
    ttl = float(current_app.config.get(TTL_SETTING, TTL_SECONDS))
    return app_memory(EXTENSION, lambda: CappedCounts(ttl))


forget_on_change(Customer, EXTENSION)
