"""Tags on customers (portal/customers/tags.py): made on the fly per merchant, one tag
whatever its case, at most 50 on a customer and 40 characters each, every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.errors import ServiceError
from portal.core.models import AuditEntry, Event
from portal.customers.models import CustomerTag, Tag
from portal.customers.tags import (
    MAX_TAGS,
    add_tag,
    clean_tag,
    clean_tags,
    customer_tags,
    get_tag,
    merchant_tags,
    remove_tag,
    set_tags,
    tags_by_customer,
)
from portal.extensions import db


def _audit(customer, action: str) -> list[str | None]:
    return list(
        db.session.scalars(
            select(AuditEntry.note).where(
                AuditEntry.customer_id == customer.id, AuditEntry.action == action
            )
        )
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("  VIP ", "VIP"), ("Big   spender", "Big spender"), ("x" * 40, "x" * 40), ("টাকা", "টাকা")],
)
def test_clean_tag_trims_and_keeps_up_to_40_characters(raw, clean):
    """Spaces around and runs of spaces inside are dropped; 40 characters fit."""
    assert clean_tag(raw) == clean


@pytest.mark.parametrize(
    ("raw", "code"),
    [("", "tag_required"), ("   ", "tag_required"), ("x" * 41, "tag_too_long"),
     ("a\x00b", "invalid_characters")],
)  # fmt: skip
def test_clean_tag_refuses_empty_long_and_unstorable_tags(raw, code):
    """An empty tag, a 41-character tag and a NUL are refused by code, naming the field."""
    with pytest.raises(ServiceError) as caught:
        clean_tag(raw)
    assert (caught.value.code, caught.value.field) == (code, "tag")


def test_clean_tags_names_the_bad_entry_and_counts_repeats_once():
    """tags[1] is named; "VIP" and "vip" are one tag; 51 distinct tags are too many."""
    assert clean_tags(["VIP", "vip", " Wholesale "]) == ["VIP", "Wholesale"]
    with pytest.raises(ServiceError) as caught:
        clean_tags(["ok", "x" * 41])
    assert (caught.value.code, caught.value.field) == ("tag_too_long", "tags[1]")
    with pytest.raises(ServiceError) as many:
        clean_tags([f"t{n}" for n in range(MAX_TAGS + 1)])
    assert (many.value.code, many.value.field) == ("too_many_tags", "tags")


def test_add_tag_creates_the_tag_once_per_merchant_and_audits(app, make_merchant, make_customer):
    """The first use makes the tag; another spelling reuses it; the change is audited."""
    merchant = make_merchant()
    ani, budi = make_customer(merchant), make_customer(merchant)
    first = add_tag(ani, " VIP ", actor="owner@shop.test")
    again = add_tag(budi, "vip", actor="owner@shop.test")
    assert first is not None and again is not None and first.id == again.id
    assert first.name == "VIP"
    assert add_tag(ani, "Vip", actor="owner@shop.test") is None  # already there
    assert [t.name for t in merchant_tags(merchant.id)] == ["VIP"]
    assert _audit(ani, "tag.added") == ["VIP"]
    event = db.session.scalars(select(Event).where(Event.customer_id == ani.id)).all()
    assert [e.type for e in event if e.type.startswith("tag.")] == ["tag.added"]


def test_tags_are_per_merchant(app, make_merchant, make_customer):
    """Two merchants' "VIP" are two tags; one's tag id is not found for the other."""
    one, other = make_merchant(), make_merchant()
    tag = add_tag(make_customer(one), "VIP", actor="a")
    theirs = add_tag(make_customer(other), "VIP", actor="b")
    assert tag is not None and theirs is not None and tag.id != theirs.id
    with pytest.raises(ServiceError) as caught:
        get_tag(other.id, tag.id)
    assert caught.value.status == 404


def test_the_51st_tag_is_refused(app, make_merchant, make_customer):
    """50 tags fit on a customer; the 51st is refused and not linked."""
    customer = make_customer(make_merchant())
    for n in range(MAX_TAGS):
        add_tag(customer, f"tag {n}", actor="a")
    with pytest.raises(ServiceError) as caught:
        add_tag(customer, "one more", actor="a")
    assert caught.value.code == "too_many_tags"
    links = db.session.scalar(
        select(func.count()).select_from(CustomerTag).where(CustomerTag.customer_id == customer.id)
    )
    assert links == MAX_TAGS


def test_remove_tag_unlinks_and_audits_but_keeps_the_tag(app, make_merchant, make_customer):
    """The tag leaves the customer, stays in the merchant's list; a second remove is False."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    tag = add_tag(customer, "VIP", actor="a")
    assert tag is not None
    assert remove_tag(customer, tag, actor="owner@shop.test") is True
    assert remove_tag(customer, tag, actor="owner@shop.test") is False
    assert customer_tags(customer) == []
    assert db.session.get(Tag, tag.id) is not None
    assert _audit(customer, "tag.removed") == ["VIP"]


def test_set_tags_replaces_the_set_and_swaps_at_the_limit(app, make_merchant, make_customer):
    """Only what changed is audited; a customer with 50 tags can swap one for another."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    assert set_tags(customer, ["b", "A"], actor="api") == ["A", "b"]
    assert set_tags(customer, ["a", "c"], actor="api") == ["A", "c"]
    assert _audit(customer, "tag.removed") == ["b"]
    full = [f"t{n:02d}" for n in range(MAX_TAGS)]
    set_tags(customer, full, actor="api")
    swapped = set_tags(customer, [*full[1:], "new"], actor="api")
    assert len(swapped) == MAX_TAGS and "new" in swapped and "t00" not in swapped


def test_tags_by_customer_loads_a_page_in_one_query(app, make_merchant, make_customer):
    """Each customer's tag names by name; customers without tags are absent."""
    merchant = make_merchant()
    ani, budi, citra = (make_customer(merchant) for _ in range(3))
    set_tags(ani, ["zeta", "Alpha"], actor="a")
    set_tags(budi, ["VIP"], actor="a")
    found = tags_by_customer(merchant.id, [ani.id, budi.id, citra.id])
    assert found[ani.id] == ["Alpha", "zeta"] and found[budi.id] == ["VIP"]
    assert citra.id not in found
    assert tags_by_customer(make_merchant().id, [ani.id]) == {}
