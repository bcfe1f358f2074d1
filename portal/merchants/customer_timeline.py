"""A customer's timeline: staff notes and audit entries in one list, newest first.

Plain values for the template (never Markup), so a note holding `<script>` is shown as
the text it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.customers.models import CustomerNote
from portal.customers.notes import may_change
from portal.merchants.audit_sentences import TrailLine

# A note saved again within this time of its writing does not read as "edited".
EDIT_GRACE = timedelta(seconds=5)


@dataclass(frozen=True)
class NoteLine:
    """One note as the timeline shows it."""

    id: int
    created_at: datetime
    author: str
    body: str
    edited_at: datetime | None
    can_change: bool


@dataclass(frozen=True)
class TimelineItem:
    """A note or an audit line, at its time."""

    created_at: datetime
    note: NoteLine | None = None
    audit: TrailLine | None = None


def note_lines(
    notes: Sequence[CustomerNote], *, staff_id: int, is_owner: bool, can_write: bool
) -> list[NoteLine]:
    """The notes with their author's name and whether this viewer may change them."""
    lines = []
    for note in notes:
        author = note.author
        edited = note.updated_at if note.updated_at - note.created_at > EDIT_GRACE else None
        lines.append(
            NoteLine(
                id=note.id,
                created_at=note.created_at,
                author=(author.name or author.email) if author else "",
                body=note.body,
                edited_at=edited,
                can_change=can_write and may_change(note, staff_id=staff_id, is_owner=is_owner),
            )
        )
    return lines


def timeline(trail: Sequence[TrailLine], notes: Sequence[NoteLine]) -> list[TimelineItem]:
    """Notes and audit lines merged, newest first. Within one second a note comes first:
    its "Note added" audit line is written a moment after the note itself."""
    items = [TimelineItem(n.created_at, note=n) for n in notes]
    items += [TimelineItem(line.created_at, audit=line) for line in trail]
    items.sort(
        key=lambda item: (item.created_at.replace(microsecond=0), item.note is not None),
        reverse=True,
    )
    return items
