"""Staff notes on customers (portal/customers/notes.py): up to 5,000 characters, changed
only by their author or an owner, every change audited without copying the text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.models import AuditEntry
from portal.customers.models import CustomerNote
from portal.customers.notes import (
    NOTE_MAX,
    add_note,
    clean_body,
    customer_notes,
    delete_note,
    edit_note,
    get_note,
)
from portal.extensions import db
from portal.staff.models import Role


def _actions(customer) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.customer_id == customer.id, AuditEntry.action.like("note.%"))
            .order_by(AuditEntry.id)
        )
    )


@pytest.mark.parametrize(
    ("raw", "code"),
    [("", "note_required"), ("  \n ", "note_required"), ("x" * (NOTE_MAX + 1), "note_too_long")],
)
def test_clean_body_refuses_empty_and_too_long_notes(raw, code):
    """An empty note and a 5,001-character note are refused, naming the field."""
    with pytest.raises(ServiceError) as caught:
        clean_body(raw)
    assert (caught.value.code, caught.value.field) == (code, "body")


def test_a_note_of_5000_characters_is_kept_whole(app, make_merchant, make_staff, make_customer):
    """Exactly 5,000 characters fit; the text is trimmed, its author and time stored."""
    merchant = make_merchant()
    author = make_staff(merchant)
    customer = make_customer(merchant)
    note = add_note(customer, " " + "x" * NOTE_MAX + " ", author_id=author.id, actor=author.email)
    assert note.body == "x" * NOTE_MAX and note.author_id == author.id
    assert note.created_at == note.updated_at
    assert _actions(customer) == ["note.added"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.customer_id == customer.id))
    assert all("x" * 20 not in str(e.changes) + str(e.note) for e in entry)


def test_only_the_author_or_an_owner_changes_a_note(app, make_merchant, make_staff, make_customer):
    """Another staff member is refused with 403; the author and an owner may edit and delete."""
    merchant = make_merchant()
    author = make_staff(merchant, role=Role.STAFF, permission="SYSTEM")
    other = make_staff(merchant, role=Role.STAFF, permission="SYSTEM")
    owner = make_staff(merchant)
    customer = make_customer(merchant)
    note = add_note(customer, "Prefers calls after 5pm", author_id=author.id, actor="a")
    with pytest.raises(ServiceError) as caught:
        edit_note(note, "changed", staff_id=other.id, is_owner=False, actor="o")
    assert caught.value.status == 403
    with pytest.raises(ServiceError):
        delete_note(note, staff_id=other.id, is_owner=False, actor="o")
    edit_note(note, "Calls after 6pm", staff_id=author.id, is_owner=False, actor="a")
    edit_note(note, "Calls after 6pm", staff_id=author.id, is_owner=False, actor="a")  # no-op
    assert note.body == "Calls after 6pm"
    delete_note(note, staff_id=owner.id, is_owner=True, actor="owner")
    assert (
        db.session.scalars(
            select(CustomerNote).where(CustomerNote.customer_id == customer.id)
        ).all()
        == []
    )
    assert _actions(customer) == ["note.added", "note.edited", "note.deleted"]


def test_get_note_finds_only_this_customers_note(app, make_merchant, make_staff, make_customer):
    """Another customer's or merchant's note id is 404; notes list newest first."""
    merchant = make_merchant()
    author = make_staff(merchant)
    ani, budi = make_customer(merchant), make_customer(merchant)
    first = add_note(ani, "first", author_id=author.id, actor="a")
    second = add_note(ani, "second", author_id=author.id, actor="a")
    assert get_note(ani, first.id) is first
    for customer, ident in ((budi, first.id), (make_customer(make_merchant()), first.id)):
        with pytest.raises(ServiceError) as caught:
            get_note(customer, ident)
        assert caught.value.status == 404
    with pytest.raises(ServiceError):
        get_note(ani, "x")
    assert customer_notes(ani) == [second, first]


def test_export_carries_notes_and_tags_and_erasure_removes_them(
    app, make_merchant, make_staff, make_customer
):
    """The data export lists the notes and tags; an erasure deletes both from the customer."""
    from portal.customers.personal_data import erase_customer, export_customer
    from portal.customers.tags import add_tag, customer_tags

    merchant = make_merchant()
    author = make_staff(merchant, email="rina@shop.test")
    customer = make_customer(merchant)
    add_note(customer, "Allergic to nuts", author_id=author.id, actor=author.email)
    add_tag(customer, "VIP", actor=author.email)
    data = export_customer(customer)
    assert data["tags"] == ["VIP"]
    assert [(n["body"], n["author"]) for n in data["notes"]] == [
        ("Allergic to nuts", "rina@shop.test")
    ]
    erase_customer(customer, actor=author.email)
    assert customer_notes(customer) == [] and customer_tags(customer) == []
