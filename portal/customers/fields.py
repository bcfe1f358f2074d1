"""Validation of customer fields, written once for pages, forms and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import email_validator
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from portal.core.dates import parse_day
from portal.core.error_codes import CustomerError
from portal.core.errors import ServiceError, ValidationFailed
from portal.core.inputs import InputError, parse_id, unstorable_text
from portal.core.models import Region
from portal.core.phone import normalise_phone
from portal.extensions import db
from portal.merchants.models import BUILTIN_CATEGORIES, Category

__all__ = ["ValidationFailed", "clean_fields"]  # ValidationFailed lives in core.errors

GENDERS: tuple[str, ...] = ("female", "male", "other", "unspecified")
POSTAL_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z -]{2,9}$")
DOCUMENT_RE = re.compile(r"^[0-9A-Za-z-]{4,32}$")

# Longest text accepted per field (the database column sizes).
MAX_LENGTHS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "email": 255,
    "address": 500,
    "home_address": 500,
    "whatsapp": 32,
    "viber": 32,
    "imo": 32,
    "line": 64,
    "other_contact": 200,
    "passport_number": 32,
    "national_id_number": 32,
    "user_type": 32,
    "external_customer_code": 64,
    "postal_code": 10,
}
TEXT_FIELDS = tuple(MAX_LENGTHS)

# `.test` addresses are how demo and test accounts are named (owner@demo.test); the
# library rejects that reserved name by default and documents this list as the switch.
if "test" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("test")


@lru_cache(maxsize=1)
def country_codes() -> tuple[str, ...]:
    """ISO 3166 alpha-2 codes known to Babel (two letters, not regions like 001).

    Kept for the process: Babel's data does not change while it runs, and every sign-up
    form (and each nationality checked) asked for the sorted list again.
    """
    return tuple(
        sorted(code for code in Locale("en").territories if len(code) == 2 and code.isalpha())
    )


@lru_cache(maxsize=1)
def country_code_set() -> frozenset[str]:
    """The same codes, for a membership test that does not walk the list."""
    return frozenset(country_codes())


@lru_cache(maxsize=16)
def _sorted_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(language).territories
    return tuple(sorted(((c, names.get(c, c)) for c in country_codes()), key=lambda p: p[1]))


def country_choices(language: str = "en") -> list[tuple[str, str]]:
    """(code, name in `language`) sorted by name; a fresh list (callers prepend to it)
    of the pairs sorted once per language and process (about 0.3 ms a sign-up form)."""
    return list(_sorted_choices(language))


def category_codes(merchant_id: int) -> set[str]:
    custom = db.session.scalars(
        db.select(Category.code).where(Category.merchant_id == merchant_id)
    ).all()
    return set(BUILTIN_CATEGORIES) | set(custom)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# The addresses email_validator accepts unchanged without looking further: an ASCII
# dot-atom before the @ (its DOT_ATOM_TEXT) and lowercase letter-digit-hyphen labels
# after it, the last ending in a letter. Anything else, and anything near one of its
# other rules (a "--" label, a length limit, a special-use name, a mailbox name it
# lowercases), goes to the library.
_ATEXT = r"A-Za-z0-9_!#$%&'*+\-/=?^`{|}~"
_PLAIN_ADDRESS = re.compile(
    rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*@(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+"
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61})?[a-z])"
)
_LOWERED_MAILBOXES = frozenset(email_validator.rfc_constants.CASE_INSENSITIVE_MAILBOX_NAMES)


def _plain_address(text: str) -> bool:
    """Whether validate_email would answer `text` itself as the normalised address.

    Why: it costs about 0.1 ms an address (IDNA tables, Unicode checks), the largest
    part of cleaning an imported row; this check costs a few microseconds and only
    ever says yes to addresses the library accepts unchanged (tests/customers/
    test_email_check.py compares the two), so accept, refuse and the stored form stay
    the library's."""
    if len(text) > email_validator.rfc_constants.EMAIL_MAX_LENGTH or "--" in text:
        return False
    if not _PLAIN_ADDRESS.fullmatch(text):
        return False
    local, _, domain = text.rpartition("@")
    if local.lower() in _LOWERED_MAILBOXES:
        return False
    return not any(
        domain == name or domain.endswith("." + name)
        for name in email_validator.SPECIAL_USE_DOMAIN_NAMES
    )


def clean_email(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if _plain_address(text):
        return text
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ServiceError(CustomerError.EMAIL_INVALID, field="email") from exc


def clean_date_of_birth(value: Any, today: date | None = None) -> date | None:
    if value in (None, ""):
        return None
    today = today or date.today()
    dob = parse_day(value, field="date_of_birth")  # the one reading of a typed day
    assert dob is not None
    if dob >= today:
        raise ServiceError(CustomerError.DOB_FUTURE, field="date_of_birth")
    if today.year - dob.year > 120:
        raise ServiceError(CustomerError.DOB_IMPLAUSIBLE, field="date_of_birth")
    return dob


def clean_age(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ServiceError(CustomerError.AGE_INVALID, field="age")
    try:
        age = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError as exc:
        raise ServiceError(CustomerError.AGE_INVALID, field="age") from exc
    if not 0 <= age <= 120:
        raise ServiceError(CustomerError.AGE_INVALID, field="age")
    return age


@dataclass
class _Cleaning:
    """What a field's cleaner may look at: the merchant, the country hint, and the fields
    cleaned before it (the phone reads the cleaned country code)."""

    merchant_id: int
    country: str | None
    cleaned: dict[str, Any]
    # The merchant's category codes when the caller read them once for many rows (an
    # import); None reads them for this call.
    categories: frozenset[str] | None = None


def _clean_text(field: str) -> Cleaner:
    def clean(value: Any, _: _Cleaning) -> str | None:
        text = _text(value)
        if text is not None and len(text) > MAX_LENGTHS[field]:
            raise ServiceError(CustomerError.TOO_LONG, field=field, max=MAX_LENGTHS[field])
        if text is not None and unstorable_text(text):
            # PostgreSQL refuses NUL in text (a 500); refuse it on every database alike.
            raise ServiceError(InputError.INVALID_CHARACTERS, field=field)
        return text

    return clean


def _clean_matching(field: str, pattern: re.Pattern[str], code: CustomerError) -> Cleaner:
    as_text = _clean_text(field)

    def clean(value: Any, context: _Cleaning) -> str | None:
        text = as_text(value, context)
        if text and not pattern.match(text):
            raise ServiceError(code, field=field)
        return text

    return clean


def _clean_gender(value: Any, _: _Cleaning) -> str | None:
    gender = _text(value)
    if gender is not None and gender.lower() not in GENDERS:
        raise ServiceError(CustomerError.GENDER_INVALID, field="gender", options=", ".join(GENDERS))
    return gender.lower() if gender else None


def _clean_country(field: str, code: CustomerError) -> Cleaner:
    def clean(value: Any, _: _Cleaning) -> str | None:
        text = _text(value)
        if text is not None and text.upper() not in country_code_set():
            raise ServiceError(code, field=field)
        return text.upper() if text else None

    return clean


def _clean_language(value: Any, _: _Cleaning) -> str | None:
    language = _text(value)
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise ServiceError(CustomerError.LANGUAGE_UNSUPPORTED, field="language")
    return language


def _clean_region(value: Any, _: _Cleaning) -> int | None:
    if value in (None, ""):
        return None
    number = parse_id(value) if not isinstance(value, bool) else None
    region = db.session.get(Region, number) if number is not None else None
    if region is None:
        raise ServiceError(CustomerError.REGION_INVALID, field="region_id")
    return region.id


def _clean_category(value: Any, context: _Cleaning) -> str:
    code = _text(value) or "N"
    known = context.categories
    if code not in (known if known is not None else category_codes(context.merchant_id)):
        raise ServiceError(CustomerError.CATEGORY_UNKNOWN, field="category_code")
    return code


def _clean_external_id(value: Any, _: _Cleaning) -> int | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(CustomerError.NOT_A_WHOLE_NUMBER, field="external_customer_id") from None
    if abs(number) > 2**63 - 1:
        raise ServiceError(CustomerError.NOT_A_WHOLE_NUMBER, field="external_customer_id")
    return number


def _clean_phone(value: Any, context: _Cleaning) -> str:
    hint = context.cleaned.get("country_code") or context.country
    phone = normalise_phone(_text(value), hint)
    context.cleaned.setdefault("country_code", phone.country_code)
    return phone.e164


Cleaner = Callable[[Any, _Cleaning], Any]
# One cleaner per field, in the order errors are listed; the phone comes last, after the
# country code it is read with.
CLEANERS: dict[str, Cleaner] = {
    **{field: _clean_text(field) for field in TEXT_FIELDS if field != "email"},
    "postal_code": _clean_matching("postal_code", POSTAL_RE, CustomerError.POSTAL_CODE_INVALID),
    "passport_number": _clean_matching(
        "passport_number", DOCUMENT_RE, CustomerError.DOCUMENT_INVALID
    ),
    "national_id_number": _clean_matching(
        "national_id_number", DOCUMENT_RE, CustomerError.DOCUMENT_INVALID
    ),
    "email": lambda value, _: clean_email(value),
    "gender": _clean_gender,
    "date_of_birth": lambda value, _: clean_date_of_birth(value),
    "age": lambda value, _: clean_age(value),
    "nationality": _clean_country("nationality", CustomerError.NATIONALITY_INVALID),
    "country_code": _clean_country("country_code", CustomerError.COUNTRY_INVALID),
    "language": _clean_language,
    "region_id": _clean_region,
    "category_code": _clean_category,
    "external_customer_id": _clean_external_id,
    "is_loyal": lambda value, _: bool(value),
    "phone": _clean_phone,
}


def clean_fields(
    data: dict[str, Any],
    *,
    merchant_id: int,
    country: str | None = None,
    categories: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Validate and normalise every known field present in `data`.

    Collects every error before raising one ValidationFailed, so a form can show them all.
    `phone` is normalised to E.164 with `country` (or data['country_code']). `categories`:
    the merchant's category codes, read once by a caller cleaning many rows.
    """
    cleaned: dict[str, Any] = {}
    problems: dict[str, ServiceError] = {}
    context = _Cleaning(merchant_id, country, cleaned, categories)
    for field, cleaner in CLEANERS.items():
        if field not in data:
            continue
        try:
            cleaned[field] = cleaner(data[field], context)
        except ServiceError as exc:
            problems[field] = exc
    if problems:
        raise ValidationFailed(problems)
    return cleaned
