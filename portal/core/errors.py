"""ServiceError: how a business rule says no, once, for pages and the API alike.

Errors by code (Saleor's style): each domain declares its codes as an `ErrorCode` enum
whose members carry their messages, which make the one message table here. A service raises
`ServiceError(Code.MEMBER, field=..., **params)`; the English sentence comes from the
table (the JSON API answers it, exactly as the documents word it, with `code` beside
it), and pages show the same entry translated (portal/i18n/messages.py), plural forms
included. A raise may still pass its own sentence: a document's wording for one path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


def N_(message: str) -> str:
    """Mark `message` for extraction into the catalogs without translating it now."""
    return message


@dataclass(frozen=True)
class Plural:
    """A message with singular and plural forms, chosen by the parameter `count`."""

    singular: str
    plural: str
    count: str = "count"


Message = str | Plural
_MESSAGES: dict[str, Message] = {}


def register_messages(table: Mapping[str, Message]) -> None:
    """Add codes and their messages; a code means one thing everywhere."""
    for code, message in table.items():
        known = _MESSAGES.setdefault(str(code), message)
        if known != message:
            raise ValueError(f"error code {code!r} already has another message")


class ErrorCode(StrEnum):
    """Base of every domain's error codes: stable strings API clients may match on, each
    declared with its message (`NAME = "code", N_("Sentence.")`), which is registered
    in the one message table as the member is made."""

    message: Message

    def __new__(cls, value: str, message: Message) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        register_messages({value: message})
        return member


def message_for(code: str) -> Message | None:
    """The table's entry for `code`, if it has one."""
    return _MESSAGES.get(str(code))


def english(message: Message, params: Mapping[str, Any]) -> str:
    """The English sentence of a table entry with its parameters filled in."""
    if isinstance(message, Plural):
        text = message.singular if params.get(message.count) == 1 else message.plural
    else:
        text = message
    return text % params if params else text


class ServiceError(Exception):
    """A rule refused the request.

    `code` is a stable machine-readable reason (an ErrorCode, or a plain string where a
    domain has not declared one), `field` the input it concerns (if any), `params` the
    values its message names, `message` the English sentence, and `status` the HTTP
    status the JSON API answers with.
    """

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        field: str | None = None,
        status: int = 422,
        retry_after: int | None = None,
        persist: bool = False,
        **params: Any,
    ) -> None:
        entry = message_for(code)
        if message is None:
            message = english(entry, params) if entry is not None else str(code)
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.field = field
        self.params = params
        self.status = status
        self.retry_after = retry_after
        # True when the refusal itself changed state that must be kept (a wrong code
        # still counts as an attempt): the request boundary commits instead of rolling back.
        self.persist = persist

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, field={self.field!r}, status={self.status})"


class ValidationFailed(ServiceError):
    """Several fields are wrong at once.

    `problems` maps each field to its ServiceError (code, parameters); `errors` maps it
    to the English sentence, as the JSON API answers it. Pages translate the problems
    (portal/i18n/messages.py field_errors). A plain sentence counts as a problem too.
    """

    def __init__(self, errors: Mapping[str, str | ServiceError], *, status: int = 422) -> None:
        self.problems: dict[str, ServiceError] = {
            field: problem
            if isinstance(problem, ServiceError)
            else ServiceError("invalid", problem, field=field)
            for field, problem in errors.items()
        }
        self.errors = {field: problem.message for field, problem in self.problems.items()}
        first_field, first = next(iter(self.problems.items()))
        super().__init__("invalid", first.message, field=first_field, status=status)


class NotFound(ServiceError):
    """The record does not exist for this merchant (another tenant's ids look the same)."""

    def __init__(self, message: str | None = None, *, code: str = "not_found") -> None:
        if message is None and message_for(code) is None:
            message = "Not found"
        super().__init__(code, message, status=404)


class Conflict(ServiceError):
    def __init__(self, code: str, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field, status=409)
