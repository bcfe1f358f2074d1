"""Every in-process memory, behind one small module on cachetools, with one rule.

The rule: a memory lives in `app.extensions` (one per app and process) and is a `Kept`:
at most `maxsize` entries, least recently used out first, each for at most `ttl` seconds.
A memory that holds data (capped counts, estimates, category choices, search samples) is
keyed by the merchant id first and registered with `forget_on_change(model, name)`: any
ORM change to that model's rows in this process forgets that merchant's entries at once,
and a bulk statement (merchant unknown) forgets them all; a change made by another
process shows when the entry's TTL runs out. A memory that holds no data (rendered
fragments, signed CSRF tokens) is never forgotten on writes, only pushed out or expired.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from threading import Lock
from typing import Any, Protocol, TypeVar

import cachetools
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session


class Forgetful(Protocol):
    def forget(self, merchant_id: int | None = None) -> None: ...


T = TypeVar("T")
_MISSING = object()


class Kept:
    """One memory: an LRU of `maxsize` entries, each kept `ttl` seconds (None: until pushed
    out; 0 or less: nothing is kept). `clock` may be replaced (tests move time)."""

    def __init__(
        self,
        *,
        maxsize: int,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self._cache: cachetools.Cache = (
            cachetools.LRUCache(maxsize)
            if ttl is None
            else cachetools.TTLCache(maxsize, max(ttl, 0.0), timer=lambda: self.clock())
        )
        self._lock = Lock()  # the development server and gunicorn's gthread workers run threads

    @property
    def enabled(self) -> bool:
        return self.ttl is None or self.ttl > 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._cache.get(key, default)

    def put(self, key: Hashable, value: Any) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._cache[key] = value

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The kept value under `key`, else `make()` kept."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = make()
            self.put(key, value)
        return value  # type: ignore[return-value]

    def forget(self, merchant_id: int | None = None) -> None:
        """Drop the entries of one merchant (keys start with its id), or every entry."""
        with self._lock:
            if merchant_id is None:
                self._cache.clear()
                return
            for key in [
                k for k in list(self._cache) if isinstance(k, tuple) and k[:1] == (merchant_id,)
            ]:
                self._cache.pop(key, None)

    def keys(self) -> Iterator[Hashable]:
        with self._lock:
            return iter(list(self._cache))

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)


# model class -> names of the app extensions that keep rows of it
_WATCHED: dict[type, set[str]] = {}
# Two threads of one worker asking for a memory not yet made must get the same one.
_creating = Lock()


def app_memory(extension: str, create: Callable[[], T]) -> T:
    """The current app's memory under `extension`, created on first use (one per app and
    process; memories that must forget on writes also go through forget_on_change)."""
    memory = current_app.extensions.get(extension)
    if memory is None:
        with _creating:
            memory = current_app.extensions.get(extension)
            if memory is None:
                memory = current_app.extensions[extension] = create()
    return memory


def forget_on_change(model: type, extension: str) -> None:
    """Make the memory under `extension` forget whenever rows of `model` change."""
    _WATCHED.setdefault(model, set()).add(extension)
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_statement)


def rows_written(model: type, merchant_ids: Iterable[int | None]) -> None:
    """Rows of `model` written past the ORM and Session.execute (a COPY): forget their
    merchants' entries, as a flush of them would have."""
    memories = _memories(model)
    for merchant_id in {m for m in merchant_ids if m is not None} if memories else ():
        for memory in memories:
            memory.forget(merchant_id)


def _memories(model: type) -> list[Forgetful]:
    if not has_app_context():
        return []
    found = (current_app.extensions.get(name) for name in _WATCHED.get(model, ()))
    return [memory for memory in found if memory is not None]


def _after_flush(session: Session, _flush_context: Any) -> None:
    """Rows added, changed or deleted through the ORM: forget their merchants."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        for memory in _memories(type(obj)):
            memory.forget(obj.merchant_id)


def _on_statement(state: ORMExecuteState) -> None:
    """A bulk INSERT, UPDATE or DELETE (merchant not known here): forget everything."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    for model in _WATCHED:
        if table is model.__table__ or any(m.class_ is model for m in state.all_mappers):
            for memory in _memories(model):
                memory.forget()
