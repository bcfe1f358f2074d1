"""Per-app, per-merchant short-lived memories that forget when the ORM changes their rows.

Why: the customer list keeps a few answers for seconds (capped counts, category choices).
Each such memory lives in `app.extensions` (one per app and process) and must forget a
merchant's entries the moment this process writes that merchant's rows; bulk statements,
whose merchant is unknown, make it forget everything. This module holds that plumbing
once; a memory only supplies `forget(merchant_id | None)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session


class Forgetful(Protocol):
    def forget(self, merchant_id: int | None = None) -> None: ...


T = TypeVar("T")

# model class -> names of the app extensions that keep rows of it
_WATCHED: dict[type, set[str]] = {}


def app_memory(extension: str, create: Callable[[], T]) -> T:
    """The current app's memory under `extension`, created on first use (one per app and
    process; memories that must forget on writes also go through forget_on_change)."""
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
