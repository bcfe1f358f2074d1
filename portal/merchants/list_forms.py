"""The customer list's filter form (GET, no CSRF): labels and choices for the page."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectChoice, SelectField, StringField

from portal.customers.search import COUNT_CAP, PER_PAGE_MAX

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25
# Offsets stay shallow; further pages are reached with the keyset "Next" link.
MAX_OFFSET = COUNT_CAP

SEARCH_IN_CHOICES = [
    SelectChoice("NAME", _l("Name")),
    SelectChoice("EMAIL", _l("Email")),
    SelectChoice("PHONE", _l("Phone")),
    SelectChoice("ADDRESS", _l("Address")),
]
STATUS_CHOICES = [
    SelectChoice("", _l("Any status")),
    SelectChoice("0", _l("Unregistered")),
    SelectChoice("1", _l("Registered")),
    SelectChoice("4", _l("Blocked")),
    SelectChoice("T", _l("Inactive")),
    SelectChoice("R", _l("Requested")),
]
# The built-in categories' names, marked for translation (custom names are the merchant's).
BUILTIN_CATEGORY_LABELS = {"N": _l("Customer"), "Y": _l("Reseller"), "D": _l("Dropshipper")}


def category_label(code: str, name: str) -> str:
    """A category's name for people: built-ins translated, a merchant's own name as it is
    (data never goes through gettext, which trusts its text)."""
    label = BUILTIN_CATEGORY_LABELS.get(code)
    return name if label is None else str(label)


def labelled_categories(choices: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(code, label) pairs for select fields, from (code, name) pairs."""
    return [(code, category_label(code, name)) for code, name in choices]


STATUS_NAMES = {choice.value: choice.label for choice in STATUS_CHOICES if choice.value}
CONSENT_FILTER_CHOICES = [
    SelectChoice("", _l("Any")),
    SelectChoice("yes", _l("Yes")),
    SelectChoice("no", _l("No")),
]
ORDER_CHOICES = [
    SelectChoice("LATEST_CUSTOMER", _l("Latest customer")),
    SelectChoice("LAST_ORDER", _l("Last order")),
]


class CustomerFilterForm(FlaskForm):
    class Meta:
        csrf = False

    keyword = SearchField(_l("Search"), render_kw={"maxlength": 50, "autocomplete": "off"})
    search_in = SelectField(_l("Search in"), choices=SEARCH_IN_CHOICES, default="NAME")
    created_from = DateField(_l("Created from"))
    created_to = DateField(_l("Created to"))
    category = SelectField(_l("Category"), choices=[], default="")
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="")
    # The merchant's tags are offered by the page's datalist (kept out of this cached form).
    tag = StringField(
        _l("Tag"), render_kw={"maxlength": 40, "list": "merchant-tags", "autocomplete": "off"}
    )
    sms_consent = SelectField(_l("SMS consent"), choices=CONSENT_FILTER_CHOICES, default="")
    email_consent = SelectField(_l("Email consent"), choices=CONSENT_FILTER_CHOICES, default="")
    order_by = SelectField(_l("Sort by"), choices=ORDER_CHOICES, default="LATEST_CUSTOMER")
    per_page = SelectField(
        _l("Rows per page"),
        choices=[SelectChoice(str(n)) for n in PER_PAGE_CHOICES],
        default=str(DEFAULT_PER_PAGE),
    )

    def folded_in_use(self) -> int:
        """How many filters under the "Filters" disclosure are set away from their default
        (or were refused): its summary shows the number, as a phone keeps it closed."""
        in_use = 0
        for name in FOLDED_FILTERS:
            field = self[name]
            typed = field.raw_data[0] if field.raw_data else ""
            if field.errors or (typed and str(typed) != str(field.default or "")):
                in_use += 1
        return in_use

    def folded_refused(self) -> bool:
        """A folded filter was refused: the disclosure opens so its message shows."""
        return any(self[name].errors for name in FOLDED_FILTERS)


# The filters the list folds under "Filters"; search stays in view.
FOLDED_FILTERS = (
    "created_from",
    "created_to",
    "category",
    "status",
    "tag",
    "sms_consent",
    "email_consent",
    "order_by",
    "per_page",
)


def filter_form(args: Any, categories: Sequence[tuple[str, str]]) -> CustomerFilterForm:
    """The form filled from the query string, with the merchant's categories."""
    form = CustomerFilterForm(formdata=args)
    form.category.choices = [
        SelectChoice("", _l("All categories")),
        *(SelectChoice(code, label) for code, label in labelled_categories(categories)),
    ]
    return form


def row_labels(categories: Sequence[tuple[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Category and status names for table cells, translated once per language and
    category list (catalogs do not change while the app runs), not per row or page."""
    return _row_labels(str(get_locale()), tuple(categories))


@lru_cache(maxsize=256)
def _row_labels(
    _language: str, categories: tuple[tuple[str, str], ...]
) -> tuple[dict[str, str], dict[str, str]]:
    category_names = {code: label for code, label in labelled_categories(categories)}
    return category_names, {code: str(label) for code, label in STATUS_NAMES.items()}


def parse_per_page(raw: str | None) -> int:
    """One of the offered sizes; anything larger is cut to the maximum, never more."""
    try:
        value = int(raw or DEFAULT_PER_PAGE)
    except ValueError:
        return DEFAULT_PER_PAGE
    if value in PER_PAGE_CHOICES:
        return value
    return PER_PAGE_MAX if value > PER_PAGE_MAX else DEFAULT_PER_PAGE


def parse_page(raw: str | None, per_page: int) -> int:
    """A page number from 1 up to the deepest page reached by offset."""
    try:
        value = int(raw or 1)
    except ValueError:
        return 1
    return max(1, min(value, MAX_OFFSET // per_page))


class PartnerReportForm(FlaskForm):
    """The partner report's days (a GET form: nothing to protect)."""

    class Meta:
        csrf = False

    start = DateField(_l("First day"))
    end = DateField(_l("Last day"))
