"""What a customer list can be narrowed by, and the checks on it before any query runs.

The console, the export and the JSON API read the same filters under different query
names; checking them here once means every caller refuses a bad value the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.core.dates import day_range
from portal.core.error_codes import NotesTagsError
from portal.core.errors import ServiceError
from portal.customers.fields import ValidationFailed
from portal.customers.models import TAG_NAME_MAX, RegistrationStatus

SEARCH_IN = ("NAME", "EMAIL", "PHONE", "ADDRESS")
ORDER_BY = ("LATEST_CUSTOMER", "LAST_ORDER")
STATUSES = tuple(s.value for s in RegistrationStatus)
KEYWORD_MAX = 50
PER_PAGE_MAX = 100
CATEGORY_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")

# Query names: the console's first, then document 003's.
ARG_NAMES = {
    "keyword": ("keyword", "q"),
    "search_in": ("search_in", "type"),
    "created_from": ("created_from", "create_from"),
    "created_to": ("created_to", "create_to"),
    "category": ("category",),
    "status": ("status", "registration_status"),
    "order_by": ("order_by",),
    "tag": ("tag",),
    "sms_consent": ("sms_consent",),
    "email_consent": ("email_consent",),
}
# A consent filter: "yes", "no" or any (empty).
CONSENT_CHOICES = ("yes", "no")


@dataclass(frozen=True)
class CustomerFilters:
    """One list's filters as parse_filters checked them (frozen: counts are kept by it)."""

    keyword: str | None = None
    search_in: str = "NAME"
    created_from: date | None = None
    created_to: date | None = None
    category: str | None = None
    status: str | None = None
    order_by: str = "LATEST_CUSTOMER"
    # A tag's name as typed (any case): customers carrying it.
    tag: str | None = None
    # Marketing consent: True (agreed), False (did not) or None (any).
    sms_consent: bool | None = None
    email_consent: bool | None = None

    @property
    def consent_filtered(self) -> bool:
        """True when a consent filter narrows the list (the summary cannot count it)."""
        return self.sms_consent is not None or self.email_consent is not None

    @property
    def is_filtered(self) -> bool:
        """True when anything narrows the list (the sort order does not)."""
        return bool(
            self.keyword
            or self.created_from
            or self.created_to
            or self.category
            or self.status
            or self.tag
            or self.consent_filtered
        )

    def as_args(self) -> dict[str, str]:
        """The console's query string for these filters (empty values left out)."""
        args = {
            "keyword": self.keyword or "",
            "search_in": self.search_in if self.keyword else "",
            "created_from": self.created_from.isoformat() if self.created_from else "",
            "created_to": self.created_to.isoformat() if self.created_to else "",
            "category": self.category or "",
            "status": self.status or "",
            "order_by": self.order_by if self.order_by != "LATEST_CUSTOMER" else "",
            "tag": self.tag or "",
            "sms_consent": _yes_no(self.sms_consent),
            "email_consent": _yes_no(self.email_consent),
        }
        return {key: value for key, value in args.items() if value}


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _consent(
    args: Mapping[str, Any], field: str, errors: dict[str, str | ServiceError]
) -> bool | None:
    raw = _first(args, field).lower()
    if not raw:
        return None
    if raw in ("yes", "true", "1"):
        return True
    if raw in ("no", "false", "0"):
        return False
    errors[field] = "Choose yes, no or any."
    return None


def _first(args: Mapping[str, Any], field: str) -> str:
    for name in ARG_NAMES[field]:
        value = args.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def parse_filters(args: Mapping[str, Any]) -> CustomerFilters:
    """Read filters from query arguments (console or document 003 names), checking each.

    Raises ValidationFailed naming every bad field, so pages and the API can say which.
    """
    errors: dict[str, str | ServiceError] = {}
    keyword = _first(args, "keyword")
    if len(keyword) > KEYWORD_MAX:
        errors["keyword"] = f"Use at most {KEYWORD_MAX} characters."
    search_in = (_first(args, "search_in") or "NAME").upper()
    if search_in not in SEARCH_IN:
        errors["search_in"] = "Choose Name, Email, Phone or Address."
    try:
        created_from, created_to = day_range(
            _first(args, "created_from"),
            _first(args, "created_to"),
            start_field="created_from",
            end_field="created_to",
        )
    except ValidationFailed as exc:
        errors |= exc.problems
        created_from = created_to = None
    category = _first(args, "category")
    if category and not CATEGORY_RE.match(category):
        errors["category"] = "Choose a category from the list."
    status = _first(args, "status").upper()
    if status and status not in STATUSES:
        errors["status"] = "Choose a status from the list."
    order_by = (_first(args, "order_by") or "LATEST_CUSTOMER").upper()
    if order_by not in ORDER_BY:
        errors["order_by"] = "Sort by latest customer or last order."
    tag = " ".join(_first(args, "tag").split())
    if len(tag) > TAG_NAME_MAX:
        errors["tag"] = ServiceError(NotesTagsError.TAG_TOO_LONG, field="tag", max=TAG_NAME_MAX)
    sms_consent = _consent(args, "sms_consent", errors)
    email_consent = _consent(args, "email_consent", errors)
    if errors:
        raise ValidationFailed(errors)
    return CustomerFilters(
        keyword=keyword or None,
        search_in=search_in,
        created_from=created_from,
        created_to=created_to,
        category=category or None,
        status=status or None,
        order_by=order_by,
        tag=tag or None,
        sms_consent=sms_consent,
        email_consent=email_consent,
    )


def check_paging(page: int, per_page: int) -> None:
    """Refuse a page number or page size the list cannot show (ServiceError by field)."""
    if not isinstance(per_page, int) or not 1 <= per_page <= PER_PAGE_MAX:
        raise ServiceError(
            "per_page_invalid", f"Show between 1 and {PER_PAGE_MAX} rows.", field="per_page"
        )
    if not isinstance(page, int) or page < 1:
        raise ServiceError("page_invalid", "Pages start at 1.", field="page")
