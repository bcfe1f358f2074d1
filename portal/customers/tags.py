"""Tags on customers: created on the fly per merchant, at most MAX_TAGS on a customer.

Shared by the customer page, the bulk action and the open API. Every change is audited
(`tag.added`, `tag.removed`) with the tag's name in the entry's note. Services flush;
the request boundary commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from portal.core.audit import record_change, record_changes
from portal.core.error_codes import InputError, NotesTagsError
from portal.core.errors import ServiceError
from portal.core.inputs import UNSTORABLE
from portal.customers.models import TAG_NAME_MAX, Customer, CustomerTag, Tag
from portal.extensions import db

MAX_TAGS = 50
# The datalist offers the merchant's tags: enough to choose from, never an endless list.
SUGGESTIONS_MAX = 500


def clean_tag(raw: object, *, field: str = "tag") -> str:
    """A tag as stored: trimmed, inner runs of spaces made one; 1..TAG_NAME_MAX characters."""
    name = " ".join(str(raw or "").split())
    if not name:
        raise ServiceError(NotesTagsError.TAG_REQUIRED, field=field)
    if len(name) > TAG_NAME_MAX:
        raise ServiceError(NotesTagsError.TAG_TOO_LONG, field=field, max=TAG_NAME_MAX)
    if UNSTORABLE.search(name):
        raise ServiceError(InputError.INVALID_CHARACTERS, field=field)
    return name


def clean_tags(raw: Iterable[object], *, field: str = "tags") -> list[str]:
    """A list of tags checked one by one (`tags[2]` names the bad one), case-insensitive
    repeats dropped, at most MAX_TAGS."""
    names: dict[str, str] = {}
    for index, value in enumerate(raw):
        name = clean_tag(value, field=f"{field}[{index}]")
        names.setdefault(tag_key(name), name)
    if len(names) > MAX_TAGS:
        raise ServiceError(NotesTagsError.TOO_MANY_TAGS, field=field, max=MAX_TAGS)
    return list(names.values())


def tag_key(name: str) -> str:
    """What makes two spellings one tag: case does not count."""
    return name.lower()


def find_tag(merchant_id: int, name: str) -> Tag | None:
    """The merchant's tag of this name (any case), if it exists."""
    return db.session.scalar(
        select(Tag).where(Tag.merchant_id == merchant_id, Tag.name_key == tag_key(name))
    )


def get_tag(merchant_id: int, tag_id: int) -> Tag:
    """The merchant's tag with this id, else 404 (another merchant's id looks the same)."""
    tag = db.session.scalar(select(Tag).where(Tag.merchant_id == merchant_id, Tag.id == tag_id))
    if tag is None:
        raise ServiceError(NotesTagsError.TAG_NOT_FOUND, status=404)
    return tag


def tag_named(merchant_id: int, name: str) -> Tag:
    """The merchant's tag of this name, made now when it is new. Two requests making the
    same tag at once: the second one's insert fails on the unique key and reads the first's."""
    found = find_tag(merchant_id, name)
    if found is not None:
        return found
    tag = Tag(merchant_id=merchant_id, name=name, name_key=tag_key(name))
    try:
        with db.session.begin_nested():
            db.session.add(tag)
    except IntegrityError:
        found = find_tag(merchant_id, name)
        if found is None:
            raise
        return found
    return tag


def merchant_tags(merchant_id: int, *, limit: int = SUGGESTIONS_MAX) -> list[Tag]:
    """The merchant's tags by name (what the "Tag" fields suggest)."""
    return list(
        db.session.scalars(
            select(Tag).where(Tag.merchant_id == merchant_id).order_by(Tag.name_key).limit(limit)
        )
    )


def customer_tags(customer: Customer) -> list[Tag]:
    """The customer's tags by name."""
    return list(
        db.session.scalars(
            select(Tag)
            .join(CustomerTag, CustomerTag.tag_id == Tag.id)
            .where(CustomerTag.customer_id == customer.id, Tag.merchant_id == customer.merchant_id)
            .order_by(Tag.name_key)
        )
    )


def tags_by_customer(merchant_id: int, customer_ids: Collection[int]) -> dict[int, list[str]]:
    """customer id -> tag names (by name) for a page of customers, in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    if not customer_ids:
        return found
    rows = db.session.execute(
        select(CustomerTag.customer_id, Tag.name)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(Tag.merchant_id == merchant_id, CustomerTag.customer_id.in_(list(customer_ids)))
        .order_by(CustomerTag.customer_id, Tag.name_key)
    )
    for customer_id, name in rows:
        found[customer_id].append(name)
    return found


@dataclass(frozen=True)
class TagFilter:
    """The list's "Tag" filter, read for the planner: which customers carry the tag, and
    whether they are few enough (`rare`) to read from the link table rather than walking
    the merchant's list in order and checking each row."""

    condition: ColumnElement[bool]
    rare: bool


# Up to this many customers a tag is read from its (tag_id, customer_id) index and
# sorted; above it, matches are dense enough that the list's own index finds a page fast.
RARE_TAG_MAX = 5000


def tag_filter(merchant_id: int, name: str) -> TagFilter:
    """The list filter for customers carrying the tag `name` (any case). The tag's id is
    looked up first (an unknown tag matches nothing at once), then its size, counted no
    further than RARE_TAG_MAX + 1 on the link table's index (see benchmarks/README.md)."""
    found = find_tag(merchant_id, name)
    if found is None:
        return TagFilter(literal(False), rare=True)
    members = select(CustomerTag.customer_id).where(CustomerTag.tag_id == found.id)
    size = db.session.scalar(
        select(func.count()).select_from(members.limit(RARE_TAG_MAX + 1).subquery())
    )
    if (size or 0) <= RARE_TAG_MAX:
        return TagFilter(Customer.id.in_(members), rare=True)
    linked = exists().where(CustomerTag.tag_id == found.id, CustomerTag.customer_id == Customer.id)
    return TagFilter(linked, rare=False)


def _count(customer: Customer) -> int:
    query = select(func.count()).where(CustomerTag.customer_id == customer.id)
    return db.session.scalar(query) or 0


def _link(customer: Customer, tag: Tag) -> CustomerTag | None:
    return db.session.get(CustomerTag, (customer.id, tag.id))


def add_tag(customer: Customer, name: str, *, actor: str) -> Tag | None:
    """Put the tag on the customer (made when new); None when it was already there.
    Refuses a 51st tag."""
    clean = clean_tag(name)
    tag = tag_named(customer.merchant_id, clean)
    if _link(customer, tag) is not None:
        return None
    if _count(customer) >= MAX_TAGS:
        raise ServiceError(NotesTagsError.TOO_MANY_TAGS, field="tag", max=MAX_TAGS)
    db.session.add(CustomerTag(customer_id=customer.id, tag_id=tag.id))
    db.session.flush()
    record_change(
        customer.merchant_id,
        customer.id,
        actor=actor,
        action="tag.added",
        note=tag.name,
        payload={"tag": tag.name},
    )
    return tag


def remove_tag(customer: Customer, tag: Tag, *, actor: str) -> bool:
    """Take the tag off the customer; False when it was not on them."""
    link = _link(customer, tag) if tag.merchant_id == customer.merchant_id else None
    if link is None:
        return False
    db.session.delete(link)
    db.session.flush()
    record_change(
        customer.merchant_id,
        customer.id,
        actor=actor,
        action="tag.removed",
        note=tag.name,
        payload={"tag": tag.name},
    )
    return True


def set_tags(customer: Customer, names: Iterable[object], *, actor: str) -> list[str]:
    """Make the customer's tags exactly `names` (the API's create and update): removals
    first, so that swapping tags at the limit works; each change audited."""
    wanted = clean_tags(names)
    keys = {tag_key(name) for name in wanted}
    current = customer_tags(customer)
    for tag in current:
        if tag.name_key not in keys:
            remove_tag(customer, tag, actor=actor)
    kept = {tag.name_key for tag in current}
    for name in wanted:
        if tag_key(name) not in kept:
            add_tag(customer, name, actor=actor)
    return [tag.name for tag in customer_tags(customer)]


def tag_new_customers(
    merchant_id: int, tagged: Iterable[tuple[Customer, list[str]]], *, actor: str
) -> None:
    """Put clean tag lists (clean_tags) on customers just created, in one INSERT of the
    links and one of the audit lines: an import batch tags hundreds of customers, and
    add_tag's lookups and checks per tag would cost more than the customers themselves.
    New customers carry no tags yet, so clean_tags' limit is the only one to keep."""
    tags: dict[str, Tag] = {}
    links: list[dict[str, int]] = []
    changes: list[dict[str, object]] = []
    for customer, names in tagged:
        for name in names:
            key = tag_key(name)
            tag = tags.get(key)
            if tag is None:
                tag = tags[key] = tag_named(merchant_id, name)
            links.append({"customer_id": customer.id, "tag_id": tag.id})
            changes.append(
                {
                    "merchant_id": merchant_id,
                    "customer_id": customer.id,
                    "actor": actor,
                    "action": "tag.added",
                    "note": tag.name,
                    "payload": {"tag": tag.name},
                }
            )
    if links:
        db.session.execute(insert(CustomerTag), links)
        record_changes(changes)


def tag_counts(customer_ids: Collection[int]) -> dict[int, int]:
    """customer id -> how many tags they carry, for a selection, in one query."""
    if not customer_ids:
        return {}
    rows = db.session.execute(
        select(CustomerTag.customer_id, func.count())
        .where(CustomerTag.customer_id.in_(list(customer_ids)))
        .group_by(CustomerTag.customer_id)
    )
    return {customer_id: count for customer_id, count in rows}


def carrying(tag: Tag | None, customer_ids: Collection[int]) -> set[int]:
    """Which of these customers carry the tag (none when the tag does not exist yet)."""
    if tag is None or not customer_ids:
        return set()
    rows = db.session.scalars(
        select(CustomerTag.customer_id).where(
            CustomerTag.tag_id == tag.id, CustomerTag.customer_id.in_(list(customer_ids))
        )
    )
    return set(rows)
