"""Identity document numbers hidden from read-only viewers.

OVERVIEW staff and OVERVIEW API tokens read the customer list, pages and exports, but a
passport or national-id number is more than they need to serve a customer: they see it
masked, as "•••• 1234" (the last four characters of a number of eight or more, nothing
of a shorter one), so they can still tell two customers apart on the phone. Owners,
SYSTEM staff and SYSTEM tokens see the number. One rule, used by pages, the audit trail
and the API alike.
"""

from __future__ import annotations

DOCUMENT_FIELDS = frozenset({"passport_number", "national_id_number"})
MASK = "••••"
SHOWN_TAIL = 4
# Shorter numbers would be mostly shown by their last four characters.
TAIL_FROM_LENGTH = 8


def mask_document(value: str | None) -> str | None:
    """A document number as a read-only viewer sees it; empty stays empty."""
    if not value:
        return value
    text = str(value)
    if len(text) < TAIL_FROM_LENGTH:
        return MASK
    return f"{MASK} {text[-SHOWN_TAIL:]}"


def shown_document(value: str | None, *, unmasked: bool) -> str | None:
    """The number itself for viewers who may see it, else its mask."""
    return value if unmasked else mask_document(value)


def may_see_documents(*, role: str | None, permission: str | None) -> bool:
    """Owners and SYSTEM staff or tokens see document numbers; OVERVIEW sees them masked.
    (A token has no role: pass role=None and its permission.)"""
    return role == "owner" or permission == "SYSTEM"
