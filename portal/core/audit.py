"""Writing the audit trail and domain events; both are flushed, never committed, here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from portal.core.bulk_ids import copy_rows, next_ids
from portal.core.models import AuditEntry, Event
from portal.core.time import utcnow
from portal.extensions import db

Row = TypeVar("Row", AuditEntry, Event)


class WrittenEvent(NamedTuple):
    """An event record_changes wrote as plain values, as its listeners are told of it.

    Why not an Event object: building 500 of them per import batch, only for the
    listeners to read three fields, cost a twentieth of the import's CPU."""

    id: int
    merchant_id: int
    customer_id: int | None
    type: str


# Functions called with the new events after they are written (webhooks subscribe here):
# one Event, or the batch an import recorded at once (WrittenEvent: id, merchant_id,
# customer_id and type, the fields an Event has too).
Listener = Callable[[Sequence[Event | WrittenEvent]], None]
_event_listeners: list[Listener] = []


def on_event(listener: Listener) -> Listener:
    """Register a listener for every recorded event; used as a decorator."""
    if listener not in _event_listeners:
        _event_listeners.append(listener)
    return listener


def record_audit(
    merchant_id: int,
    *,
    actor: str,
    action: str,
    customer_id: int | None = None,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEntry:
    """Add one audit entry: who (`actor`), did what (`action`), with which changes."""
    return _add_row(
        AuditEntry, merchant_id, customer_id, actor=actor, action=action, changes=changes, note=note
    )


def record_event(
    *,
    merchant_id: int,
    type: str,
    customer_id: int | None = None,
    kind: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Add one domain event and tell the listeners (webhooks) about it."""
    event = _add_row(Event, merchant_id, customer_id, type=type, kind=kind, payload=payload)
    db.session.flush()
    for listener in list(_event_listeners):
        listener([event])
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields that changed, as {field: [old, new]}."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _add_row(model: type[Row], merchant_id: int, customer_id: int | None, **values: Any) -> Row:
    """Add an audit entry or event to the session, its dict (changes or payload) stored
    by one rule, so that both trails keep and read back their data the same way."""
    row = model(
        merchant_id=merchant_id,
        customer_id=customer_id,
        **{name: _stored(value) for name, value in values.items()},
    )
    db.session.add(row)
    return row


def _stored(value: Any) -> Any:
    """A dict as plain JSON (dates as ISO text: the JSON column cannot hold a date object)
    and an empty one as NULL; any other value as it is."""
    if isinstance(value, dict):
        return _jsonable(value) if value else None
    return value


# Values JSON keeps as they are, looked up by exact type: an import writes a creation's
# dozen [old, new] pairs for every row, and the isinstance chain took 2.0 s of a profiled
# 20,000-row import's 28 s.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list and all(type(v) in _PLAIN for v in value):
        return list(value)  # a change's [old, new] of plain values
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value  # subclasses of the plain types
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# The event integrations receive for each kind of audited action: actions are written
# "<subject>.<what>", and the event's type and kind follow from them.
EVENT_TYPES = {
    "status": "customer.status_changed",
    "storefront": "customer.storefront_changed",
    "verification": "verification",
    "edit_link": "edit_link",
}


def event_of(action: str) -> tuple[str, str | None]:
    """The (type, kind) of the event an audited action emits: status, storefront,
    verification and edit-link actions share one type each, with the action's last part
    as the kind (a delete is its own type); addresses are one type; any other action
    (customer.created, card.updated) is its own event."""
    subject, _, what = action.partition(".")
    if action == "status.delete":
        return "customer.deleted", "delete"
    if subject in EVENT_TYPES:
        return EVENT_TYPES[subject], what
    if subject == "address":
        return "address.updated", None
    return action, None


def record_change(
    merchant_id: int,
    customer_id: int | None,
    *,
    actor: str,
    action: str,
    changes: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    note: str | None = None,
) -> Event:
    """One change seen twice: the audit line (who did it) and the domain event that
    integrations receive. Every change to a customer writes both, so they never drift."""
    ids = {"merchant_id": merchant_id, "customer_id": customer_id}
    record_audit(**ids, actor=actor, action=action, changes=changes, note=note)
    event, kind = event_of(action)
    return record_event(**ids, type=event, kind=kind, payload=payload)


def record_changes(changes: Iterable[dict[str, Any]]) -> list[WrittenEvent]:
    """record_change for many changes (each its keyword arguments), written as one
    INSERT per table and announced to the listeners as one batch.

    Why not ORM objects: an import batch of 500 rows spent more building, tracking and
    flushing its 1,000 audit lines and events as objects than the database spent writing
    them. The rows go in as plain values instead; the listeners are told of them by
    their written ids (WrittenEvent)."""
    now = utcnow()
    entries, events = [], []
    for change in changes:
        ids = {"merchant_id": change["merchant_id"], "customer_id": change["customer_id"]}
        values = {k: _stored(change.get(k)) for k in ("actor", "action", "changes", "note")}
        entries.append({**ids, **values, "created_at": now})
        event, kind = event_of(change["action"])
        payload = _stored(change.get("payload"))
        events.append({**ids, "type": event, "kind": kind, "payload": payload, "created_at": now})
    if not events:
        return []
    _insert_rows(AuditEntry, entries)
    written = [
        WrittenEvent(new_id, row["merchant_id"], row["customer_id"], row["type"])
        for new_id, row in zip(_insert_rows(Event, events), events, strict=True)
    ]
    for listener in list(_event_listeners):
        listener(written)
    return written


def _insert_rows(model: type[Row], rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows in one statement and answer their ids, in order: taken ahead from
    the sequence (PostgreSQL: one COPY, no RETURNING to rewrite), or returned
    by the INSERT in the parameters' order (SQLite)."""
    ids = next_ids(model, len(rows))
    table = model.__table__
    if ids is not None:
        copy_rows(model, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        return ids
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))
