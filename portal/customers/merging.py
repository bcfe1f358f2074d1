"""Merging two records of one person, and undoing a merge within 24 hours.

Why this shape: a shop that finds "Rina Akter" twice wants one record with one history,
without losing what either held. The merchant keeps one record (the survivor) and picks,
field by field, which value survives where the two differ; a value only one of them has
is kept without asking. Orders, notes, tags, consent records, audit entries, edit links
and addresses the survivor lacks move to it. The other record stays as a deleted
pointer (`merged_into_id`) so its old id, bookmarked or held by an integration, still
leads to the survivor; its phone numbers and external ids are released, so the
survivor can take them and a sign-in with them finds the survivor.

Undo needs what the merge changed, not a guess: each merge keeps a CustomerMerge row
with the ids it moved per table and the values it overwrote. Undo moves exactly those
rows back, and restores a field only where it still holds what the merge put there
(what someone changed since is theirs). Every function flushes; the request boundary
commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.core.audit import record_change
from portal.core.error_codes import CustomerError, MergeError
from portal.core.errors import Conflict, NotFound, ServiceError
from portal.core.models import AuditEntry
from portal.core.time import utcnow
from portal.customers.merge_models import CustomerMerge
from portal.customers.models import (
    Address,
    ConsentRecord,
    Customer,
    CustomerNote,
    CustomerTag,
    EditLink,
    Order,
    PaymentCard,
    Tag,
)
from portal.customers.services import (
    EDITABLE_ORDER,
    end_sessions,
    flush_guarded,
    full_name_of,
    get_customer,
    mark_modified,
)
from portal.customers.tags import MAX_TAGS
from portal.extensions import db

UNDO_WINDOW = timedelta(hours=24)
SURVIVOR, OTHER = "survivor", "other"
CHOICES = (SURVIVOR, OTHER)
# The fields the merchant chooses between: every field a merchant edits, in the edit
# form's order, but the country (it follows the phone chosen) and the loyalty flag.
NOT_CHOSEN = frozenset({"country_code", "is_loyal"})
MERGE_FIELDS: tuple[str, ...] = tuple(f for f in EDITABLE_ORDER if f not in NOT_CHOSEN)
# What the pointer gives up so the survivor can hold it: unique per merchant, or what
# an import matches on.
RELEASED = ("phone", "unconfirmed_phone", "external_customer_id", "external_customer_code")
# Rows that follow the person, moved whole: name in the merge record -> model.
MOVED_ROWS: dict[str, Any] = {
    "orders": Order,
    "notes": CustomerNote,
    "consents": ConsentRecord,
    "audit": AuditEntry,
    "links": EditLink,
}
CHANNELS = ("sms", "email")
# Ids per statement when rows move back (well under SQLite's parameter limit).
CHUNK = 500
# What an erased customer's merge records keep instead of the values (nothing to undo).
ERASED = "erased"


def _empty(value: Any) -> bool:
    return value is None or value == ""


@dataclass(frozen=True)
class FieldChoice:
    """One field of the two records: the survivor's value and the other's."""

    name: str
    survivor: Any
    other: Any

    @property
    def needs_choice(self) -> bool:
        """Both hold a value and they differ: the merchant picks."""
        return not _empty(self.survivor) and not _empty(self.other) and self.survivor != self.other

    @property
    def default(self) -> str:
        """What survives unless the merchant says otherwise: the survivor's value, or
        the other's when the survivor has none."""
        return OTHER if _empty(self.survivor) and not _empty(self.other) else SURVIVOR


@dataclass
class MergePlan:
    """The merge page's preview: the fields either record fills and what moves."""

    survivor: Customer
    other: Customer
    fields: list[FieldChoice] = field(default_factory=list)
    moving: dict[str, int] = field(default_factory=dict)

    @property
    def choices(self) -> list[FieldChoice]:
        return [line for line in self.fields if line.needs_choice]


def _live(merchant_id: int, customer_id: int) -> Customer:
    """The merchant's live customer (another merchant's id, or a deleted or merged one,
    answers NotFound like any unknown id)."""
    return get_customer(merchant_id, customer_id)


def plan_merge(merchant_id: int, survivor_id: int, other_id: int) -> MergePlan:
    """What merging `other_id` into `survivor_id` would do; changes nothing."""
    survivor, other = _live(merchant_id, survivor_id), _live(merchant_id, other_id)
    if survivor.id == other.id:  # after the lookups: another merchant's id is 404 first
        raise ServiceError(MergeError.SAME_CUSTOMER, status=400)
    plan = MergePlan(survivor, other)
    for name in MERGE_FIELDS:
        line = FieldChoice(name, getattr(survivor, name), getattr(other, name))
        if not (_empty(line.survivor) and _empty(line.other)):
            plan.fields.append(line)
    for kind, model in MOVED_ROWS.items():
        plan.moving[kind] = _count(model, other.id)
    plan.moving["tags"] = len(_tag_ids(other.id) - _tag_ids(survivor.id))
    return plan


def _count(model: Any, customer_id: int) -> int:
    return db.session.scalar(select(func.count()).where(model.customer_id == customer_id)) or 0


def _tag_ids(customer_id: int) -> set[int]:
    query = select(CustomerTag.tag_id).where(CustomerTag.customer_id == customer_id)
    return set(db.session.scalars(query))


def _picked(plan: MergePlan, choices: Mapping[str, str]) -> dict[str, Any]:
    """The values the survivor takes from the other record, by the merchant's choices
    (a field without one keeps its default); an answer that is neither is refused."""
    taken: dict[str, Any] = {}
    for line in plan.fields:
        wanted = choices.get(line.name) or line.default
        if wanted not in CHOICES or (wanted == OTHER and _empty(line.other)):
            raise ServiceError(MergeError.CHOICE_INVALID, field=line.name)
        if wanted == OTHER and line.other != line.survivor:
            taken[line.name] = line.other
    return taken


def merge_customers(plan: MergePlan, choices: Mapping[str, str], *, actor: str) -> CustomerMerge:
    """Merge the plan's other record into its survivor, keeping the chosen values."""
    survivor, other = plan.survivor, plan.other
    taken = _with_dependents(survivor, other, _picked(plan, choices))
    survivor_tags, other_tags = _tag_ids(survivor.id), _tag_ids(other.id)
    if len(survivor_tags | other_tags) > MAX_TAGS:
        raise ServiceError(MergeError.TOO_MANY_TAGS, field="tags", max=MAX_TAGS)
    record: dict[str, Any] = {
        "before": {name: _jsonable(getattr(survivor, name)) for name in taken},
        "set": {name: _jsonable(value) for name, value in taken.items()},
        "pointer": {name: _jsonable(getattr(other, name)) for name in RELEASED},
        "rows": {kind: _move(model, other.id, survivor.id) for kind, model in MOVED_ROWS.items()},
        "addresses": _move_addresses(other.id, survivor.id),
        "card": _move_card(other.id, survivor.id),
        "tags_added": sorted(other_tags - survivor_tags),
        "tags_of_merged": sorted(other_tags),
        "consent_before": {ch: bool(getattr(survivor, f"{ch}_consent")) for ch in CHANNELS},
        "last_order_before": _jsonable(survivor.last_order_at),
    }
    _move_tags(other.id, survivor.id, other_tags - survivor_tags)
    # The pointer lets go of its numbers and ids first, so the survivor may take them.
    for name in RELEASED:
        setattr(other, name, None)
    other.deleted_at = utcnow()
    other.merged_into_id = survivor.id
    end_sessions(other)
    mark_modified(other, actor)
    # Read what the survivor's new state depends on before changing it: a query's
    # autoflush would otherwise write the taken phone outside the guarded flush.
    _follow_latest_consent(survivor)
    survivor.last_order_at = _latest(
        survivor.last_order_at, other.last_order_at, _last_order(survivor.id)
    )
    for name, value in taken.items():
        setattr(survivor, name, value)
    survivor.modified_by, survivor.modified_at = actor, utcnow()
    flush_guarded(survivor)
    merge = CustomerMerge(
        merchant_id=survivor.merchant_id,
        survivor_id=survivor.id,
        merged_id=other.id,
        actor=actor,
        record=record,
    )
    db.session.add(merge)
    db.session.flush()
    _audit_merge(merge, survivor, other, actor=actor)
    return merge


def _with_dependents(survivor: Customer, other: Customer, taken: dict[str, Any]) -> dict[str, Any]:
    """The chosen values and what follows from them: a phone brings its country (and its
    confirmation, to a survivor never confirmed); a first or last name the full name."""
    if "phone" in taken:
        taken["country_code"] = other.country_code
        if survivor.confirmed_at is None:
            taken["confirmed_at"] = other.confirmed_at
    if "first_name" in taken or "last_name" in taken:
        taken["full_name"] = full_name_of(
            taken.get("first_name", survivor.first_name), taken.get("last_name", survivor.last_name)
        )
    return taken


def _audit_merge(merge: CustomerMerge, survivor: Customer, other: Customer, *, actor: str) -> None:
    """The merge in both trails: the changed values on the survivor, the pointer's end."""
    before, after = merge.record["before"], merge.record["set"]
    changes = {name: [before[name], after[name]] for name in after}
    record_change(
        survivor.merchant_id,
        survivor.id,
        actor=actor,
        action="customer.merged",
        changes=changes,
        payload={
            "merge_id": merge.id,
            "merged_id": other.id,
            # The id integrations hold (the customer object's customer_id is the public id).
            "merged_customer_id": other.public_id,
            "fields": sorted(after),
        },
        note=str(other.id),
    )
    record_change(
        other.merchant_id,
        other.id,
        actor=actor,
        action="customer.merged_into",
        payload={"merge_id": merge.id, "survivor_id": survivor.id},
        note=str(survivor.id),
    )


def _move(model: Any, from_id: int, to_id: int) -> list[int]:
    """Move every row of `model` from one customer to the other; answers their ids."""
    ids = list(db.session.scalars(select(model.id).where(model.customer_id == from_id)))
    _reassign(model, ids, from_id, to_id)
    return ids


def _reassign(model: Any, ids: list[int], from_id: int, to_id: int) -> None:
    for start in range(0, len(ids), CHUNK):
        db.session.execute(
            update(model)
            .where(model.id.in_(ids[start : start + CHUNK]), model.customer_id == from_id)
            .values(customer_id=to_id)
            .execution_options(synchronize_session="fetch")
        )


def _move_addresses(from_id: int, to_id: int) -> list[int]:
    """The other record's billing and shipping addresses of a kind the survivor lacks."""
    held = set(db.session.scalars(select(Address.kind).where(Address.customer_id == to_id)))
    ids = list(
        db.session.scalars(
            select(Address.id).where(Address.customer_id == from_id, Address.kind.not_in(held))
        )
    )
    _reassign(Address, ids, from_id, to_id)
    return ids


def _move_card(from_id: int, to_id: int) -> list[int]:
    """The other record's card, when the survivor has none (one card per customer)."""
    if db.session.scalar(select(PaymentCard.id).where(PaymentCard.customer_id == to_id)):
        return []
    return _move(PaymentCard, from_id, to_id)


def _move_tags(from_id: int, to_id: int, added: Iterable[int]) -> None:
    """The survivor gets the other's tags it lacks; the other keeps none."""
    db.session.execute(delete(CustomerTag).where(CustomerTag.customer_id == from_id))
    try:  # a tag put on the survivor a moment ago by another request: a clear conflict
        with db.session.begin_nested():
            db.session.add_all(CustomerTag(customer_id=to_id, tag_id=t) for t in added)
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(CustomerError.SAVED_CONCURRENTLY) from exc


def _follow_latest_consent(customer: Customer) -> None:
    """Each channel takes the person's latest word, whichever record it was given on."""
    for channel in CHANNELS:
        granted = db.session.scalar(
            select(ConsentRecord.granted)
            .where(ConsentRecord.customer_id == customer.id, ConsentRecord.channel == channel)
            .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc())
            .limit(1)
        )
        if granted is not None:
            setattr(customer, f"{channel}_consent", bool(granted))


def _latest(*times: datetime | None) -> datetime | None:
    known = [moment for moment in times if moment is not None]
    return max(known) if known else None


def _jsonable(value: Any) -> Any:
    """A value as the merge record's JSON holds it (dates and times as ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _restored(name: str, value: Any) -> Any:
    """A value read back from the merge record, in the column's own type."""
    if value is None:
        return None
    if name == "date_of_birth":
        return date.fromisoformat(value)
    if name in ("confirmed_at", "last_order_at"):
        return datetime.fromisoformat(value)
    return value


# --- undo -------------------------------------------------------------------------------


def get_merge(merchant_id: int, merge_id: int) -> CustomerMerge:
    """The merchant's merge, else NotFound (another merchant's id looks the same)."""
    merge = db.session.get(CustomerMerge, merge_id)
    if merge is None or merge.merchant_id != merchant_id:
        raise NotFound(code=MergeError.NOT_FOUND)
    return merge


def undoable(merge: CustomerMerge) -> bool:
    return (
        merge.undone_at is None
        and ERASED not in merge.record
        and merge.created_at >= utcnow() - UNDO_WINDOW
    )


def undoable_merges(survivor: Customer, *, limit: int = 5) -> list[CustomerMerge]:
    """Merges into this record that can still be undone, newest first."""
    query = (
        select(CustomerMerge)
        .where(
            CustomerMerge.survivor_id == survivor.id,
            CustomerMerge.merchant_id == survivor.merchant_id,
            CustomerMerge.undone_at.is_(None),
            CustomerMerge.created_at >= utcnow() - UNDO_WINDOW,
        )
        .order_by(CustomerMerge.created_at.desc(), CustomerMerge.id.desc())
        .limit(limit)
    )
    return [merge for merge in db.session.scalars(query) if undoable(merge)]


# --- erasure -----------------------------------------------------------------------------


def merged_records(customer: Customer) -> list[Customer]:
    """The pointers merged into this customer: the same person's earlier records."""
    query = select(Customer).where(
        Customer.merchant_id == customer.merchant_id, Customer.merged_into_id == customer.id
    )
    return list(db.session.scalars(query.order_by(Customer.id)))


def forget_merges(customer: Customer) -> int:
    """An erasure's part here: the merge records naming this customer lose the values
    they kept for undo (names, numbers, addresses the merge overwrote), so those merges
    can no longer be undone. Answers how many were emptied."""
    query = select(CustomerMerge).where(
        CustomerMerge.merchant_id == customer.merchant_id,
        or_(CustomerMerge.survivor_id == customer.id, CustomerMerge.merged_id == customer.id),
    )
    merges = list(db.session.scalars(query))
    for merge in merges:
        merge.record = {ERASED: True}
    db.session.flush()
    return len(merges)


def undo_merge(merge: CustomerMerge, *, actor: str) -> Customer:
    """Put both records back as they were before the merge; answers the record that
    comes back. A field someone changed since the merge keeps its new value."""
    survivor, other = _undo_pair(merge)
    record = merge.record
    for kind, model in MOVED_ROWS.items():
        _reassign(model, record["rows"].get(kind, []), survivor.id, other.id)
    _reassign(Address, record.get("addresses", []), survivor.id, other.id)
    _reassign(PaymentCard, record.get("card", []), survivor.id, other.id)
    _untag(survivor.id, other.id, record)
    for channel, granted in record["consent_before"].items():
        setattr(survivor, f"{channel}_consent", granted)
    _follow_latest_consent(survivor)  # a word given on the survivor since still counts
    # Queries first, then the changes, so no autoflush writes a phone unguarded.
    survivor.last_order_at = _last_order(survivor.id)
    other.last_order_at = _last_order(other.id)
    restored = {}
    for name, value in record["set"].items():
        if _jsonable(getattr(survivor, name)) == value:
            restored[name] = [value, record["before"][name]]
            setattr(survivor, name, _restored(name, record["before"][name]))
    now = utcnow()
    survivor.modified_by, survivor.modified_at = actor, now
    flush_guarded(survivor)  # releases the other's phone if the survivor had taken it
    for name, value in record["pointer"].items():
        setattr(other, name, value)
    other.deleted_at = None
    other.merged_into_id = None
    other.modified_by, other.modified_at = actor, now
    flush_guarded(other)
    merge.undone_at, merge.undone_by = now, actor
    for customer, changes in ((survivor, restored), (other, None)):
        record_change(
            customer.merchant_id,
            customer.id,
            actor=actor,
            action="customer.merge_undone",
            changes=changes,
            payload={"merge_id": merge.id},
        )
    db.session.flush()
    return other


def _undo_pair(merge: CustomerMerge) -> tuple[Customer, Customer]:
    """The merge's survivor and pointer, if the merge can still be undone; else why not."""
    if merge.undone_at is not None:
        raise Conflict(MergeError.ALREADY_UNDONE)
    if ERASED in merge.record:
        raise ServiceError(MergeError.ERASED, status=410)
    if not undoable(merge):
        raise ServiceError(MergeError.UNDO_EXPIRED, status=410)
    survivor = db.session.get(Customer, merge.survivor_id)
    other = db.session.get(Customer, merge.merged_id)
    if survivor is None or other is None or other.merged_into_id != survivor.id:
        raise NotFound(code=MergeError.NOT_FOUND)
    return survivor, other


def _untag(survivor_id: int, other_id: int, record: Mapping[str, Any]) -> None:
    """The survivor loses the tags the merge gave it; the other gets its own back (those
    the merchant has not deleted since)."""
    added = record.get("tags_added", [])
    if added:
        db.session.execute(
            delete(CustomerTag).where(
                CustomerTag.customer_id == survivor_id, CustomerTag.tag_id.in_(added)
            )
        )
    wanted = record.get("tags_of_merged", [])
    existing = set(db.session.scalars(select(Tag.id).where(Tag.id.in_(wanted)))) if wanted else ()
    db.session.add_all(CustomerTag(customer_id=other_id, tag_id=tag_id) for tag_id in existing)
    db.session.flush()


def _last_order(customer_id: int) -> datetime | None:
    return db.session.scalar(
        select(func.max(Order.ordered_at)).where(Order.customer_id == customer_id)
    )


# --- the pointer ------------------------------------------------------------------------

# A chain of merges (A into B, then B into C) is followed this far, no further.
MAX_HOPS = 10


def survivor_of(merchant_id: int, customer_id: int) -> int | None:
    """Where a merged record's id leads: the live record at the end of its merges, or
    None when the id is not a merged record of this merchant."""
    current, hops = customer_id, 0
    while hops < MAX_HOPS:
        row = db.session.execute(
            select(Customer.merged_into_id, Customer.deleted_at).where(
                Customer.merchant_id == merchant_id, Customer.id == current
            )
        ).first()
        if row is None:
            return None
        if row.merged_into_id is None:
            return current if hops and row.deleted_at is None else None
        current, hops = row.merged_into_id, hops + 1
    return None


__all__ = [
    "CHOICES",
    "MERGE_FIELDS",
    "FieldChoice",
    "MergePlan",
    "forget_merges",
    "get_merge",
    "merge_customers",
    "merged_records",
    "plan_merge",
    "survivor_of",
    "undo_merge",
    "undoable",
    "undoable_merges",
]
