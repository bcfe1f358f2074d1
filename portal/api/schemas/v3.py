"""Document 002: the signed-in customer's details, profile form and language."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel

from portal.api.schemas.base import REQUEST_MODELS, Answer, Body
from portal.api.schemas.common import Text


class SessionCustomer(Answer):
    customer_id: str
    first_name: str | None
    last_name: str | None
    mobile: str | None
    email: str | None
    nationality: str | None
    dob: str | None
    gender: str | None
    passport_number: str | None
    nation_id_number: str | None
    language: str | None
    address: str | None


class ProfileData(RootModel[dict[str, Any]]):
    """The profile form's fields: the server-provided schema says which and how."""


REQUEST_MODELS[ProfileData.__name__] = ProfileData


class ProfileForm(Answer):
    """In either case the answer is the form; has_errors tells them apart."""

    customer_id: str
    form: dict[str, Any]
    has_errors: bool
    errors: dict[str, Any] | None = None


class LanguageChoice(Body):
    language: Text


class Language(Answer):
    language: str
    error_message: str | None
