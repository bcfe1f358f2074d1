"""Phone numbers parsed and normalised to E.164 with the phonenumbers library."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from portal.core.error_codes import PhoneError
from portal.core.errors import ServiceError
from portal.core.inputs import ascii_digits, is_digits


@dataclass(frozen=True)
class Phone:
    e164: str
    country_code: str


def _strip_prefix(raw: str) -> str:
    return raw.strip().replace("\u00a0", " ")


def normalise_phone(raw: str | None, country: str | None, *, field: str = "phone") -> Phone:
    """Parse a number typed in local or international form into E.164.

    Accepts `0176...` with country BD, `0812...` or `62812...` with ID, `418-581-0827`
    with CA, and any `+...` form. A bare number that starts with the country's calling
    code (as in `62812...`) is read as international.
    """
    found = _normalised(raw or "", (country or "").upper() or None)
    if isinstance(found, PhoneError):
        raise ServiceError(found, field=field)
    return found


@lru_cache(maxsize=4096)
def _normalised(raw: str, region: str | None) -> Phone | PhoneError:
    """The number, or why it is refused. Cached as a whole: an import reads each row's
    phone twice (to find its customer, then to check it), and cleaning the text cost as
    much as the parse the cache below saved."""
    text = ascii_digits(_strip_prefix(raw))
    if not text:
        return PhoneError.PHONE_REQUIRED
    candidates = [text]
    digits = "".join(ch for ch in text if is_digits(ch))
    if region and not text.startswith("+") and digits:
        calling_code = str(phonenumbers.country_code_for_region(region))
        if digits.startswith(calling_code) and not digits.startswith("0"):
            candidates.append("+" + digits)
    return _parse(tuple(candidates), region) or PhoneError.PHONE_INVALID


def _parse(candidates: tuple[str, ...], region: str | None) -> Phone | None:
    """The first candidate that is a valid number, or None."""
    for candidate in candidates:
        try:
            parsed = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            found = phonenumbers.region_code_for_number(parsed) or region or ""
            return Phone(e164=e164, country_code=found)
    return None


def phone_search_prefix(raw: str, country: str | None) -> str | None:
    """Turn a partly typed number into an E.164 prefix for a range search, if it can be.

    `0176` in BD becomes `+880176`... ; `+62812` stays; digits that already carry the
    calling code gain a `+`. Returns None when nothing phone-like was typed.
    """
    text = ascii_digits(raw.strip())
    digits = "".join(ch for ch in text if is_digits(ch))
    if not digits:
        return None
    if text.startswith("+"):
        return "+" + digits
    region = (country or "").upper()
    if region:
        calling_code = str(phonenumbers.country_code_for_region(region))
        if digits.startswith("0"):
            return "+" + calling_code + digits[1:]
        if digits.startswith(calling_code):
            return "+" + digits
        return "+" + calling_code + digits
    return "+" + digits


def format_phone(e164: str | None, shop_country: str | None = None) -> str:
    """Human form of a stored E.164 number, for pages: national (`01819-181625`) when the
    number belongs to the shop's country, international (`+880 1819-181625`) otherwise or
    when no shop country is given."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(parsed)
    if shop_country and region and region == shop_country.upper():
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
