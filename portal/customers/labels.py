"""How customer values read to people: gender labels, and splitting one full name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.customers.fields import GENDERS

# One label per stored gender value (portal/customers/fields.py GENDERS), translated lazily.
GENDER_LABELS = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "unspecified": _l("Prefer not to say"),
}
assert set(GENDER_LABELS) == set(GENDERS)


def gender_choices(blank: str) -> list[tuple[str, str]]:
    """(value, label) pairs for a select, the blank choice first ("not given")."""
    return [("", blank)] + [(value, str(GENDER_LABELS[value])) for value in GENDERS]


def gender_label(value: str | None) -> str | None:
    """The label of a stored gender, None when not given or unknown."""
    label = GENDER_LABELS.get(value or "")
    return str(label) if label is not None else None


def split_full_name(name: str) -> tuple[str | None, str | None]:
    """Documents 001, 003 and the storefront have one name; the portal keeps first and last:
    the first word, and the rest."""
    first, _, last = name.strip().partition(" ")
    return first or None, last.strip() or None
