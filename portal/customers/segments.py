"""Segments: the customer list's filters saved under a name and shared by the merchant's
staff (at most MAX_SEGMENTS a merchant, names unique whatever their case).

Shared by the list page and /merchant/segments. A segment stores only the list's known
filter keys (CustomerFilters.as_args), checked again by parse_filters whenever it is
opened, so a stored segment can never smuggle another query argument into the list.
Its count is the list's own capped count (search_counts.list_total), never a full one.
Every change is audited (`segment.created`, `segment.renamed`, `segment.deleted`) with the
name in the entry's note. Services flush; the request boundary commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.core.audit import record_audit
from portal.core.error_codes import InputError, SegmentError
from portal.core.errors import ServiceError
from portal.core.inputs import UNSTORABLE, parse_id
from portal.customers.fields import ValidationFailed
from portal.customers.search import CustomerFilters, parse_filters
from portal.customers.search_counts import ListTotal, list_total
from portal.customers.search_filters import ARG_NAMES
from portal.customers.segment_models import SEGMENT_NAME_MAX, Segment
from portal.extensions import db

MAX_SEGMENTS = 100


def clean_name(raw: object) -> str:
    """A segment's name as stored: trimmed, inner runs of spaces made one, 1..80 characters."""
    name = " ".join(str(raw or "").split())
    if not name:
        raise ServiceError(SegmentError.NAME_REQUIRED, field="name")
    if len(name) > SEGMENT_NAME_MAX:
        raise ServiceError(SegmentError.NAME_TOO_LONG, field="name", max=SEGMENT_NAME_MAX)
    if UNSTORABLE.search(name):
        raise ServiceError(InputError.INVALID_CHARACTERS, field="name")
    return name


def name_key(name: str) -> str:
    """What makes two spellings one name: case does not count."""
    return name.lower()


def stored_filters(filters: CustomerFilters) -> str:
    """The filters as a segment keeps them: the list's query arguments as JSON."""
    return json.dumps(filters.as_args(), sort_keys=True, ensure_ascii=False)


def segment_args(segment: Segment) -> dict[str, str]:
    """The stored query arguments, known filter keys only (anything else is dropped)."""
    try:
        raw = json.loads(segment.filters)
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {
        key: str(value)
        for key, value in raw.items()
        if key in ARG_NAMES and isinstance(value, str | int)
    }


def segment_filters(segment: Segment) -> CustomerFilters:
    """The list filters a segment opens, checked by the list's own parse_filters; a value a
    later rule refuses is left out rather than failing the whole segment."""
    args = segment_args(segment)
    try:
        return parse_filters(args)
    except ValidationFailed as err:
        kept = {key: value for key, value in args.items() if key not in err.problems}
        try:
            return parse_filters(kept)
        except ValidationFailed:
            return CustomerFilters()


def merchant_segments(merchant_id: int) -> list[Segment]:
    """The merchant's segments by name."""
    return list(
        db.session.scalars(
            select(Segment)
            .where(Segment.merchant_id == merchant_id)
            .order_by(Segment.name_key, Segment.id)
            .limit(MAX_SEGMENTS)
        )
    )


def get_segment(merchant_id: int, segment_id: int | str) -> Segment:
    """The merchant's segment with this id, else 404 (another merchant's id looks the same)."""
    number = parse_id(segment_id)
    segment = None
    if number is not None:
        segment = db.session.scalar(
            select(Segment).where(Segment.id == number, Segment.merchant_id == merchant_id)
        )
    if segment is None:
        raise ServiceError(SegmentError.NOT_FOUND, status=404)
    return segment


def segment_totals(merchant_id: int, segments: Iterable[Segment]) -> dict[int, ListTotal]:
    """segment id -> its list's total, capped exactly as the list caps its own (and kept
    a few seconds beyond the cap by the same memory): no full count at any size."""
    return {
        segment.id: list_total(merchant_id, segment_filters(segment), seen=0)
        for segment in segments
    }


def _check_name_free(merchant_id: int, name: str, *, except_id: int | None = None) -> None:
    query = select(Segment.id).where(
        Segment.merchant_id == merchant_id, Segment.name_key == name_key(name)
    )
    if except_id is not None:
        query = query.where(Segment.id != except_id)
    if db.session.scalar(query) is not None:
        raise ServiceError(SegmentError.NAME_TAKEN, field="name", status=409)


def _flush_name(segment: Segment) -> None:
    """Flush a new or renamed segment; two requests taking one name at once: the second
    one's write fails on the unique key and is refused like any taken name."""
    try:
        with db.session.begin_nested():
            db.session.add(segment)
    except IntegrityError:
        raise ServiceError(SegmentError.NAME_TAKEN, field="name", status=409) from None


def create_segment(
    merchant_id: int, *, name: object, filters: CustomerFilters, staff_id: int, actor: str
) -> Segment:
    """Save `filters` as a segment named `name` for every staff member of the merchant."""
    clean = clean_name(name)
    count = db.session.scalar(
        select(func.count()).select_from(Segment).where(Segment.merchant_id == merchant_id)
    )
    if (count or 0) >= MAX_SEGMENTS:
        raise ServiceError(SegmentError.TOO_MANY, field="name", max=MAX_SEGMENTS)
    _check_name_free(merchant_id, clean)
    segment = Segment(
        merchant_id=merchant_id,
        name=clean,
        name_key=name_key(clean),
        filters=stored_filters(filters),
        created_by=staff_id,
    )
    _flush_name(segment)
    record_audit(
        merchant_id,
        actor=actor,
        action="segment.created",
        note=clean,
        changes={"name": [None, clean], "filters": [None, filters.as_args()]},
    )
    return segment


def rename_segment(segment: Segment, *, name: object, actor: str) -> Segment:
    """Give the segment another name; the same name records nothing."""
    clean = clean_name(name)
    if clean == segment.name:
        return segment
    _check_name_free(segment.merchant_id, clean, except_id=segment.id)
    before = segment.name
    segment.name = clean
    segment.name_key = name_key(clean)
    _flush_name(segment)
    record_audit(
        segment.merchant_id,
        actor=actor,
        action="segment.renamed",
        note=clean,
        changes={"name": [before, clean]},
    )
    return segment


def delete_segment(segment: Segment, *, actor: str) -> None:
    """Delete the segment (its customers are untouched); the trail keeps its name."""
    merchant_id, name = segment.merchant_id, segment.name
    db.session.delete(segment)
    db.session.flush()
    record_audit(
        merchant_id,
        actor=actor,
        action="segment.deleted",
        note=name,
        changes={"name": [name, None]},
    )
