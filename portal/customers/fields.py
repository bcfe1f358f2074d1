"""Validation of customer fields, written once for pages, forms and the JSON API."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import email_validator
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from portal.core.errors import ServiceError
from portal.core.inputs import INVALID_TEXT, unstorable_text
from portal.core.models import Region
from portal.core.phone import normalise_phone
from portal.extensions import db
from portal.merchants.models import BUILTIN_CATEGORIES, Category

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


class ValidationFailed(ServiceError):
    """Several fields are wrong at once; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first_field, first_message = next(iter(errors.items()))
        super().__init__("invalid", first_message, field=first_field, status=422)
        self.errors = errors


def country_codes() -> list[str]:
    """ISO 3166 alpha-2 codes known to Babel (two letters, not regions like 001)."""
    return sorted(code for code in Locale("en").territories if len(code) == 2 and code.isalpha())


def country_choices(language: str = "en") -> list[tuple[str, str]]:
    names = Locale.parse(language).territories
    return sorted(((c, names.get(c, c)) for c in country_codes()), key=lambda p: p[1])


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


def clean_email(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ServiceError("email_invalid", "Enter a valid email address.", field="email") from exc


def clean_date_of_birth(value: Any, today: date | None = None) -> date | None:
    if value in (None, ""):
        return None
    today = today or date.today()
    if isinstance(value, date):
        dob = value
    else:
        try:
            dob = date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise ServiceError(
                "dob_invalid", "Enter the date as YYYY-MM-DD.", field="date_of_birth"
            ) from exc
    if dob >= today:
        raise ServiceError(
            "dob_future", "Date of birth must be in the past.", field="date_of_birth"
        )
    if today.year - dob.year > 120:
        raise ServiceError(
            "dob_implausible", "Date of birth is too far in the past.", field="date_of_birth"
        )
    return dob


def clean_age(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ServiceError("age_invalid", "Age must be a whole number from 0 to 120.", field="age")
    try:
        age = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError as exc:
        raise ServiceError(
            "age_invalid", "Age must be a whole number from 0 to 120.", field="age"
        ) from exc
    if not 0 <= age <= 120:
        raise ServiceError("age_invalid", "Age must be a whole number from 0 to 120.", field="age")
    return age


def clean_fields(
    data: dict[str, Any],
    *,
    merchant_id: int,
    country: str | None = None,
) -> dict[str, Any]:
    """Validate and normalise every known field present in `data`.

    Collects every error before raising one ValidationFailed, so a form can show them all.
    `phone` is normalised to E.164 with `country` (or data['country_code']).
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}

    def attempt(field: str, fn: Any, *args: Any) -> None:
        try:
            cleaned[field] = fn(*args)
        except ServiceError as exc:
            errors[exc.field or field] = exc.message

    for field in TEXT_FIELDS:
        if field in data and field != "email":
            text = _text(data[field])
            if text is not None and len(text) > MAX_LENGTHS[field]:
                errors[field] = f"Use at most {MAX_LENGTHS[field]} characters."
            elif text is not None and unstorable_text(text):
                # PostgreSQL refuses NUL in text (a 500); refuse it on every database alike.
                errors[field] = INVALID_TEXT
            else:
                cleaned[field] = text
    if "email" in data:
        attempt("email", clean_email, data["email"])
    if cleaned.get("postal_code") and not POSTAL_RE.match(cleaned["postal_code"]):
        errors["postal_code"] = "Enter a valid postal code."
    for doc in ("passport_number", "national_id_number"):
        if cleaned.get(doc) and not DOCUMENT_RE.match(cleaned[doc]):
            errors[doc] = "Use 4 to 32 letters, digits or dashes."
    if "gender" in data:
        gender = _text(data["gender"])
        if gender is not None and gender.lower() not in GENDERS:
            errors["gender"] = "Choose one of: " + ", ".join(GENDERS) + "."
        else:
            cleaned["gender"] = gender.lower() if gender else None
    if "date_of_birth" in data:
        attempt("date_of_birth", clean_date_of_birth, data["date_of_birth"])
    if "age" in data:
        attempt("age", clean_age, data["age"])
    if "nationality" in data:
        nat = _text(data["nationality"])
        if nat is not None and nat.upper() not in country_codes():
            errors["nationality"] = "Choose a country from the list."
        else:
            cleaned["nationality"] = nat.upper() if nat else None
    if "country_code" in data:
        cc = _text(data["country_code"])
        if cc is not None and cc.upper() not in country_codes():
            errors["country_code"] = "Use an ISO 3166 country code such as BD, ID or US."
        else:
            cleaned["country_code"] = cc.upper() if cc else None
    if "language" in data:
        lang = _text(data["language"])
        if lang is not None and lang not in current_app.config["LANGUAGES"]:
            errors["language"] = "Unsupported language."
        else:
            cleaned["language"] = lang
    if "region_id" in data:
        rid = data["region_id"]
        if rid in (None, ""):
            cleaned["region_id"] = None
        else:
            try:
                number = int(rid)
                # Out-of-range ids cannot exist and would overflow the database integer.
                region = db.session.get(Region, number) if 0 < number <= 2**31 - 1 else None
            except (TypeError, ValueError):
                region = None
            if region is None:
                errors["region_id"] = "Choose a district from the list."
            else:
                cleaned["region_id"] = region.id
    if "category_code" in data:
        code = _text(data["category_code"]) or "N"
        if code not in category_codes(merchant_id):
            errors["category_code"] = "Unknown category."
        else:
            cleaned["category_code"] = code
    if "external_customer_id" in data:
        raw = data["external_customer_id"]
        if raw in (None, ""):
            cleaned["external_customer_id"] = None
        elif isinstance(raw, bool):
            errors["external_customer_id"] = "Must be a whole number."
        else:
            try:
                cleaned["external_customer_id"] = int(raw)
            except (TypeError, ValueError):
                errors["external_customer_id"] = "Must be a whole number."
            else:
                if abs(cleaned["external_customer_id"]) > 2**63 - 1:
                    del cleaned["external_customer_id"]
                    errors["external_customer_id"] = "Must be a whole number."
    if "is_loyal" in data:
        cleaned["is_loyal"] = bool(data["is_loyal"])
    if "phone" in data:
        region_hint = cleaned.get("country_code") or country
        try:
            phone = normalise_phone(_text(data["phone"]), region_hint)
            cleaned["phone"] = phone.e164
            cleaned.setdefault("country_code", phone.country_code)
        except ServiceError as exc:
            errors["phone"] = exc.message
    if errors:
        raise ValidationFailed(errors)
    return cleaned
