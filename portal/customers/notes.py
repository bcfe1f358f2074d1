"""Staff notes on customers: up to NOTE_MAX characters, changed only by their author or
an owner. Every change is audited (`note.added`, `note.edited`, `note.deleted`); the
note's text stays in the note, never copied into the trail. Services flush; the request
boundary commits.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.core.audit import record_change
from portal.core.error_codes import InputError, NotesTagsError
from portal.core.errors import ServiceError
from portal.core.inputs import UNSTORABLE, parse_id
from portal.core.time import utcnow
from portal.customers.models import Customer, CustomerNote
from portal.extensions import db

NOTE_MAX = 5000
# The customer page shows this many notes, newest first.
NOTES_SHOWN = 100


def clean_body(raw: object) -> str:
    """A note's text as stored: trimmed, 1..NOTE_MAX characters, nothing unstorable."""
    body = str(raw or "").strip()
    if not body:
        raise ServiceError(NotesTagsError.NOTE_REQUIRED, field="body")
    if len(body) > NOTE_MAX:
        raise ServiceError(NotesTagsError.NOTE_TOO_LONG, field="body", max=NOTE_MAX)
    if UNSTORABLE.search(body):
        raise ServiceError(InputError.INVALID_CHARACTERS, field="body")
    return body


def customer_notes(customer: Customer, *, limit: int | None = NOTES_SHOWN) -> list[CustomerNote]:
    """The customer's notes, newest first, their authors loaded with them (all of them
    with `limit=None`)."""
    return list(
        db.session.scalars(
            select(CustomerNote)
            .where(
                CustomerNote.merchant_id == customer.merchant_id,
                CustomerNote.customer_id == customer.id,
            )
            .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc())
            .limit(limit)
        )
    )


def get_note(customer: Customer, note_id: int | str) -> CustomerNote:
    """This customer's note, else 404 (another customer's or merchant's id looks the same)."""
    number = parse_id(note_id)
    note = None
    if number is not None:
        note = db.session.scalar(
            select(CustomerNote).where(
                CustomerNote.id == number,
                CustomerNote.merchant_id == customer.merchant_id,
                CustomerNote.customer_id == customer.id,
            )
        )
    if note is None:
        raise ServiceError(NotesTagsError.NOTE_NOT_FOUND, status=404)
    return note


def may_change(note: CustomerNote, *, staff_id: int, is_owner: bool) -> bool:
    """Whether this staff member may edit or delete the note: its author, or an owner."""
    return is_owner or note.author_id == staff_id


def _check_may_change(note: CustomerNote, *, staff_id: int, is_owner: bool) -> None:
    if not may_change(note, staff_id=staff_id, is_owner=is_owner):
        raise ServiceError(NotesTagsError.NOTE_NOT_YOURS, status=403)


def add_note(customer: Customer, body: object, *, author_id: int, actor: str) -> CustomerNote:
    """Write a note on the customer, by the staff member `author_id`."""
    now = utcnow()
    note = CustomerNote(
        merchant_id=customer.merchant_id,
        customer_id=customer.id,
        author_id=author_id,
        body=clean_body(body),
        created_at=now,
        updated_at=now,
    )
    db.session.add(note)
    db.session.flush()
    record_change(
        note.merchant_id,
        note.customer_id,
        actor=actor,
        action="note.added",
        payload={"note_id": note.id},
    )
    return note


def edit_note(
    note: CustomerNote, body: object, *, staff_id: int, is_owner: bool, actor: str
) -> CustomerNote:
    """Change a note's text (its author or an owner); an unchanged text records nothing."""
    _check_may_change(note, staff_id=staff_id, is_owner=is_owner)
    text = clean_body(body)
    if text == note.body:
        return note
    note.body = text
    db.session.flush()
    record_change(
        note.merchant_id,
        note.customer_id,
        actor=actor,
        action="note.edited",
        payload={"note_id": note.id},
    )
    return note


def delete_note(note: CustomerNote, *, staff_id: int, is_owner: bool, actor: str) -> None:
    """Delete a note (its author or an owner); the trail keeps that it was deleted."""
    _check_may_change(note, staff_id=staff_id, is_owner=is_owner)
    note_id, merchant_id, customer_id = note.id, note.merchant_id, note.customer_id
    db.session.delete(note)
    db.session.flush()
    record_change(
        merchant_id,
        customer_id,
        actor=actor,
        action="note.deleted",
        payload={"note_id": note_id},
    )
