"""The "Segments" panel beside the customer list: each segment with its capped count,
and which one the list shows now."""

from __future__ import annotations

from dataclasses import dataclass

from portal.customers.search import CustomerFilters
from portal.customers.search_counts import ListTotal
from portal.customers.segment_models import Segment
from portal.customers.segments import merchant_segments, segment_filters, segment_totals


@dataclass(frozen=True)
class SegmentRow:
    """One segment as the panel shows it."""

    segment: Segment
    total: ListTotal
    # True when the list shows exactly this segment's filters now.
    current: bool
    # The list's query arguments for the segment (its link, its export).
    args: dict[str, str]


def segment_rows(merchant_id: int, current: CustomerFilters | None = None) -> list[SegmentRow]:
    """The merchant's segments by name with their totals (counted as the list counts)."""
    segments = merchant_segments(merchant_id)
    totals = segment_totals(merchant_id, segments)
    shown = current.as_args() if current is not None else None
    rows = []
    for segment in segments:
        args = segment_filters(segment).as_args()
        rows.append(SegmentRow(segment, totals[segment.id], args == shown, args))
    return rows


def current_segment_id(merchant_id: int, current: CustomerFilters) -> int | None:
    """The segment whose filters the list shows now, if any: for an htmx swap of the
    table, which leaves the panel in place (no counts: one small read of the names)."""
    shown = current.as_args()
    for segment in merchant_segments(merchant_id):
        if segment_filters(segment).as_args() == shown:
            return segment.id
    return None
