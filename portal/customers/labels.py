"""How customer values read to people: gender, active state, country and language names,
and splitting one full name."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.customers.fields import GENDERS
from portal.customers.models import ActiveState

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


# Document 003's is_active codes as people say them.
ACTIVE_STATE_LABELS: dict[str, object] = {
    ActiveState.ACTIVE: _l("Active"),
    ActiveState.NON_ACTIVE: _l("Not active"),
    ActiveState.REQUESTED: _l("Activation requested"),
    ActiveState.STOREFRONT_UNACTIVATED: _l("Storefront account not activated"),
}
assert set(ACTIVE_STATE_LABELS) == set(ActiveState)


def active_state_label(code: str | None) -> str | None:
    """The label of a stored active state, None when not given or unknown."""
    label = ACTIVE_STATE_LABELS.get(code or "")
    return str(label) if label is not None else None


def _viewer_locale() -> Locale:
    return get_locale() or Locale("en")


def country_name(code: str | None) -> str | None:
    """An ISO country code as the viewer's language names it (BD -> Bangladesh,
    বাংলাদেশ); an unknown code as it is, None when not given."""
    if not code:
        return None
    return _viewer_locale().territories.get(code.upper(), code)


def language_name(code: str | None) -> str | None:
    """A language code as the viewer's language names it (bn -> Bengali, বাংলা)."""
    if not code:
        return None
    return _viewer_locale().languages.get(code.lower(), code)


# Document 003's field names that differ from the customer record's (the open API and the
# customer import read the same names).
DOCUMENT_003_RENAMES = {
    "district_id": "region_id",
    "other": "other_contact",
    "category": "category_code",
}


def split_full_name(name: str) -> tuple[str | None, str | None]:
    """Documents 001, 003 and the storefront have one name; the portal keeps first and last:
    the first word, and the rest."""
    first, _, last = name.strip().partition(" ")
    return first or None, last.strip() or None
