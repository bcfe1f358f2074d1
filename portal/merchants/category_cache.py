"""The customer list's category choices, kept a few seconds per merchant.

Why: the list page asked the database for the merchant's categories on every request,
for the filter form and the row labels: one more round trip (and about a tenth of the
page's CPU) for a list that changes a few times a year. It is kept per app (one per
process) for TTL_SECONDS. Any ORM change to a Category in this process forgets that
merchant's list at once (bulk statements forget all), so a category created, renamed or
deleted here shows on the next page; a change made by another process shows at the
latest TTL_SECONDS later (until then a new category's rows show its code).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import current_app

from portal.core.memory import Kept, app_memory, forget_on_change
from portal.merchants.categories import category_choices
from portal.merchants.models import Category

TTL_SECONDS = 5.0
MAX_MERCHANTS = 1024
EXTENSION = "list_category_choices"
# App setting to change the TTL (seconds; 0 turns the memory off).
TTL_SETTING = "CATEGORY_CHOICES_CACHE_SECONDS"

Choices = tuple[tuple[str, str], ...]


class KeptChoices(Kept):
    """merchant id -> its category choices, for `ttl` seconds."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        super().__init__(maxsize=MAX_MERCHANTS, ttl=ttl, clock=clock)

    def choices(self, merchant_id: int, load: Callable[[int], list[tuple[str, str]]]) -> Choices:
        return self.get_or_make((merchant_id,), lambda: tuple(load(merchant_id)))


def list_category_choices(merchant_id: int) -> Choices:
    """(code, name) of the merchant's categories, as category_choices gives them."""
    ttl = float(current_app.config.get(TTL_SETTING, TTL_SECONDS))
    return app_memory(EXTENSION, lambda: KeptChoices(ttl)).choices(merchant_id, category_choices)


forget_on_change(Category, EXTENSION)
