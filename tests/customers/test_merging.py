"""Merging two records of one person: the choice per field, what moves, the pointer left
behind, and the undo within 24 hours that puts both records back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.core.errors import ServiceError
from portal.core.models import AuditEntry, Event
from portal.core.time import utcnow
from portal.customers.consent import record_consent
from portal.customers.merge_models import CustomerMerge
from portal.customers.merging import (
    OTHER,
    SURVIVOR,
    merge_customers,
    plan_merge,
    survivor_of,
    undo_merge,
    undoable_merges,
)
from portal.customers.models import Address, CustomerNote, CustomerTag, EditLink
from portal.customers.notes import add_note
from portal.customers.services import find_by_phone
from portal.customers.status import restore_customer
from portal.customers.tags import add_tag, customer_tags
from portal.extensions import db
from tests.merchants.page_helpers import make_order

ACTOR = "owner@example.test"


def _pair(make_merchant, make_customer, **other_fields):
    shop = make_merchant(country_code="BD")
    rina = make_customer(
        shop, first_name="Rina", last_name="Akter", phone="+8801711000001", email="rina@example.com"
    )
    twin = make_customer(
        shop,
        first_name="Rina",
        last_name="Begum",
        phone="+8801711000002",
        email="rina@example.com",
        **other_fields,
    )
    return shop, rina, twin


def _tag_names(customer) -> set[str]:
    return {tag.name for tag in customer_tags(customer)}


def test_the_plan_asks_only_where_both_records_differ(make_merchant, make_customer):
    shop, rina, twin = _pair(make_merchant, make_customer, postal_code="1216")
    plan = plan_merge(shop.id, rina.id, twin.id)
    by_name = {line.name: line for line in plan.fields}
    assert {line.name for line in plan.choices} == {"last_name", "phone"}
    assert not by_name["email"].needs_choice  # the same in both
    assert by_name["postal_code"].default == OTHER  # only the other has one
    assert by_name["last_name"].default == SURVIVOR
    assert "passport_number" not in by_name  # neither has one


def test_the_plan_refuses_the_same_record_and_other_merchants(make_merchant, make_customer):
    shop, rina, _twin = _pair(make_merchant, make_customer)
    stranger = make_customer(make_merchant())
    with pytest.raises(ServiceError) as same:
        plan_merge(shop.id, rina.id, rina.id)
    assert same.value.code == "merge_same_customer"
    for survivor_id, other_id in ((rina.id, stranger.id), (stranger.id, rina.id)):
        with pytest.raises(ServiceError) as foreign:
            plan_merge(shop.id, survivor_id, other_id)
        assert foreign.value.status == 404


def test_merge_moves_the_history_and_leaves_a_pointer(make_merchant, make_customer, make_staff):
    shop, rina, twin = _pair(make_merchant, make_customer, postal_code="1216")
    author = make_staff(shop)
    older, newer = utcnow() - timedelta(days=9), utcnow() - timedelta(days=1)
    make_order(rina, older)
    order = make_order(twin, newer)
    add_note(twin, "Prefers evening delivery", author_id=author.id, actor=ACTOR)
    add_tag(twin, "VIP", actor=ACTOR)
    add_tag(rina, "Dhaka", actor=ACTOR)
    link = EditLink(
        merchant_id=shop.id,
        customer_id=twin.id,
        purpose="billing",
        code_hash="h" * 64,
        expires_at=utcnow() + timedelta(hours=1),
    )
    db.session.add_all([link, Address(customer_id=twin.id, kind="billing", line1="Road 1")])
    db.session.flush()
    twin_audit = db.session.scalar(select(func.count()).where(AuditEntry.customer_id == twin.id))
    sessions_before = twin.session_version

    plan = plan_merge(shop.id, rina.id, twin.id)
    assert plan.moving["orders"] == 1 and plan.moving["notes"] == 1 and plan.moving["tags"] == 1
    merge = merge_customers(plan, {"phone": OTHER}, actor=ACTOR)

    assert rina.phone == "+8801711000002" and rina.last_name == "Akter"
    assert rina.postal_code == "1216" and rina.last_order_at == order.ordered_at
    assert db.session.get(type(order), order.id).customer_id == rina.id
    notes = db.session.scalars(select(CustomerNote).where(CustomerNote.customer_id == rina.id))
    assert [note.body for note in notes] == ["Prefers evening delivery"]
    assert _tag_names(rina) == {"VIP", "Dhaka"} and _tag_names(twin) == set()
    assert db.session.get(EditLink, link.id).customer_id == rina.id
    moved_audit = db.session.scalar(
        select(func.count()).where(
            AuditEntry.customer_id == rina.id, AuditEntry.id.in_(merge.record["rows"]["audit"])
        )
    )
    assert moved_audit == twin_audit
    # The pointer: deleted, signed out, its number released, its old id leading on.
    assert twin.deleted_at is not None and twin.merged_into_id == rina.id
    assert twin.phone is None and twin.session_version == sessions_before + 1
    assert find_by_phone(shop.id, "+8801711000002") is rina
    assert survivor_of(shop.id, twin.id) == rina.id
    assert survivor_of(shop.id, rina.id) is None
    merged = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "customer.merged")
    ).one()
    assert merged.customer_id == rina.id and merged.actor == ACTOR
    assert merged.changes["phone"] == ["+8801711000001", "+8801711000002"]
    events = db.session.scalars(select(Event.type).where(Event.customer_id.in_([rina.id, twin.id])))
    assert {"customer.merged", "customer.merged_into"} <= set(events)


def test_a_choice_that_is_neither_record_is_refused(make_merchant, make_customer):
    shop, rina, twin = _pair(make_merchant, make_customer)
    plan = plan_merge(shop.id, rina.id, twin.id)
    with pytest.raises(ServiceError) as bad:
        merge_customers(plan, {"last_name": "both"}, actor=ACTOR)
    assert bad.value.code == "merge_choice_invalid" and bad.value.field == "last_name"
    rina.postal_code = "1000"
    db.session.flush()
    plan = plan_merge(shop.id, rina.id, twin.id)
    with pytest.raises(ServiceError) as empty:  # the other has no postal code to keep
        merge_customers(plan, {"postal_code": OTHER}, actor=ACTOR)
    assert empty.value.code == "merge_choice_invalid"


def test_more_than_fifty_tags_together_are_refused_before_anything_moves(
    make_merchant, make_customer
):
    shop, rina, twin = _pair(make_merchant, make_customer)
    for number in range(30):
        add_tag(rina, f"r{number}", actor=ACTOR)
        add_tag(twin, f"t{number}", actor=ACTOR)
    with pytest.raises(ServiceError) as refused:
        merge_customers(plan_merge(shop.id, rina.id, twin.id), {}, actor=ACTOR)
    assert refused.value.code == "merge_too_many_tags"
    assert twin.merged_into_id is None
    assert db.session.scalar(select(func.count()).select_from(CustomerMerge)) == 0


def test_consent_follows_the_latest_word_and_undo_puts_it_back(make_merchant, make_customer):
    shop, rina, twin = _pair(make_merchant, make_customer)
    said = {"wording": "Send me offers by SMS.", "actor": ACTOR}
    record_consent(rina, "sms", True, "signup", **said)
    record_consent(rina, "sms", False, "profile", **said)
    record_consent(twin, "sms", True, "signup", **said)
    merge = merge_customers(plan_merge(shop.id, rina.id, twin.id), {}, actor=ACTOR)
    assert rina.sms_consent is True  # the twin's grant came last
    undo_merge(merge, actor=ACTOR)
    assert rina.sms_consent is False and twin.sms_consent is True


def test_undo_puts_both_records_back(make_merchant, make_customer, make_staff):
    shop, rina, twin = _pair(make_merchant, make_customer)
    make_order(twin, utcnow() - timedelta(days=2))
    add_tag(twin, "VIP", actor=ACTOR)
    add_tag(rina, "VIP", actor=ACTOR)
    add_tag(twin, "Gold", actor=ACTOR)
    merge = merge_customers(
        plan_merge(shop.id, rina.id, twin.id), {"phone": OTHER, "last_name": OTHER}, actor=ACTOR
    )
    assert rina.full_name == "Rina Begum"
    assert undoable_merges(rina) == [merge]

    back = undo_merge(merge, actor=ACTOR)

    assert back is twin and twin.deleted_at is None and twin.merged_into_id is None
    assert twin.phone == "+8801711000002" and rina.phone == "+8801711000001"
    assert rina.full_name == "Rina Akter" and rina.last_order_at is None
    assert twin.last_order_at is not None
    assert _tag_names(rina) == {"VIP"} and _tag_names(twin) == {"VIP", "Gold"}
    assert survivor_of(shop.id, twin.id) is None
    assert merge.undone_at is not None and merge.undone_by == ACTOR
    assert undoable_merges(rina) == []
    actions = db.session.scalars(
        select(AuditEntry.customer_id).where(AuditEntry.action == "customer.merge_undone")
    )
    assert sorted(actions) == sorted([rina.id, twin.id])
    with pytest.raises(ServiceError) as again:
        undo_merge(merge, actor=ACTOR)
    assert again.value.code == "merge_already_undone"


def test_undo_keeps_what_was_changed_since(make_merchant, make_customer):
    shop, rina, twin = _pair(make_merchant, make_customer)
    merge = merge_customers(
        plan_merge(shop.id, rina.id, twin.id), {"last_name": OTHER}, actor=ACTOR
    )
    rina.last_name = "Rahman"
    db.session.flush()
    undo_merge(merge, actor=ACTOR)
    assert rina.last_name == "Rahman"


def test_undo_ends_after_24_hours(make_merchant, make_customer):
    shop, rina, twin = _pair(make_merchant, make_customer)
    merge = merge_customers(plan_merge(shop.id, rina.id, twin.id), {}, actor=ACTOR)
    merge.created_at = utcnow() - timedelta(hours=24, minutes=1)
    db.session.flush()
    assert undoable_merges(rina) == []
    with pytest.raises(ServiceError) as late:
        undo_merge(merge, actor=ACTOR)
    assert late.value.code == "merge_undo_expired" and late.value.status == 410
    assert twin.merged_into_id == rina.id


def test_undo_is_refused_when_the_released_number_was_taken_since(make_merchant, make_customer):
    shop, rina, twin = _pair(make_merchant, make_customer)
    merge = merge_customers(plan_merge(shop.id, rina.id, twin.id), {}, actor=ACTOR)
    make_customer(shop, phone="+8801711000002")  # a new sign-up took the twin's number
    with pytest.raises(ServiceError) as taken:
        undo_merge(merge, actor=ACTOR)
    assert taken.value.status == 409


def test_a_pointer_cannot_be_restored_and_chains_lead_to_the_end(make_merchant, make_customer):
    shop, rina, twin = _pair(make_merchant, make_customer)
    third = make_customer(shop, first_name="R.", email="rina@example.com")
    merge_customers(plan_merge(shop.id, twin.id, third.id), {}, actor=ACTOR)
    merge_customers(plan_merge(shop.id, rina.id, twin.id), {}, actor=ACTOR)
    assert survivor_of(shop.id, third.id) == rina.id
    assert survivor_of(make_merchant().id, third.id) is None
    with pytest.raises(ServiceError) as pointer:
        restore_customer(third, actor=ACTOR)
    assert pointer.value.code == "customer_merged"
    assert (
        db.session.scalar(
            select(func.count()).select_from(CustomerTag).where(CustomerTag.customer_id == third.id)
        )
        == 0
    )


def test_the_merge_record_keeps_dates_as_text(make_merchant, make_customer):
    """JSON holds no date objects: a date of birth taken from the other record is kept
    as ISO text, and undo gives the column its date back."""
    shop, rina, twin = _pair(make_merchant, make_customer)
    twin.date_of_birth = datetime(1990, 5, 17).date()
    db.session.flush()
    merge = merge_customers(plan_merge(shop.id, rina.id, twin.id), {}, actor=ACTOR)
    assert merge.record["set"]["date_of_birth"] == "1990-05-17"
    assert rina.date_of_birth == twin.date_of_birth
    undo_merge(merge, actor=ACTOR)
    assert rina.date_of_birth is None


def test_erasure_reaches_the_merged_record_and_the_merge_keeps_no_values(
    make_merchant, make_customer
):
    """The same person asked to be forgotten: the pointer's name and email, and the
    numbers and values the merge record kept for undo, go with the survivor's."""
    from portal.customers.personal_data import ERASED_NAME, erase_customer, export_customer

    shop, rina, twin = _pair(make_merchant, make_customer)
    merge = merge_customers(plan_merge(shop.id, rina.id, twin.id), {"phone": OTHER}, actor=ACTOR)
    exported = export_customer(rina)
    assert [line["id"] for line in exported["merged_records"]] == [twin.id]
    erase_customer(rina, actor=ACTOR)
    assert twin.full_name == ERASED_NAME and twin.email is None
    assert merge.record == {"erased": True}
    assert "+8801711000001" not in str(merge.record)
    assert undoable_merges(rina) == []
    with pytest.raises(ServiceError) as gone:
        undo_merge(merge, actor=ACTOR)
    assert gone.value.code == "merge_erased"


def test_a_tag_added_to_the_survivor_meanwhile_is_a_conflict_not_a_crash(
    make_merchant, make_customer, monkeypatch
):
    """The survivor's tags are read, then another request tags it with one of the other's:
    the merge stops with 409 instead of an integrity error."""
    from portal.customers import merging

    shop, rina, twin = _pair(make_merchant, make_customer)
    vip = add_tag(twin, "VIP", actor=ACTOR)
    real = merging._tag_ids
    plan = plan_merge(shop.id, rina.id, twin.id)

    def stale(customer_id):
        found = real(customer_id)
        if customer_id == rina.id:  # read, then the other request's tag lands
            db.session.add(CustomerTag(customer_id=rina.id, tag_id=vip.id))
            db.session.flush()
            return found - {vip.id}
        return found

    monkeypatch.setattr(merging, "_tag_ids", stale)
    with pytest.raises(ServiceError) as raced:
        merge_customers(plan, {}, actor=ACTOR)
    assert raced.value.status == 409
