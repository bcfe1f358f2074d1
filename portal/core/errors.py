"""ServiceError: how a business rule says no, once, for pages and the API alike."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the request.

    `code` is a stable machine-readable reason, `field` the input it concerns (if any),
    `message` the English sentence (pages translate it with `gettext`), and `status`
    the HTTP status the JSON API answers with.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        status: int = 422,
        retry_after: int | None = None,
        persist: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.retry_after = retry_after
        # True when the refusal itself changed state that must be committed
        # (a wrong code still counts as an attempt); callers commit instead of rolling back.
        self.persist = persist

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, field={self.field!r}, status={self.status})"


class NotFound(ServiceError):
    """The record does not exist for this merchant (another tenant's ids look the same)."""

    def __init__(self, message: str = "Not found", *, code: str = "not_found") -> None:
        super().__init__(code, message, status=404)


class Conflict(ServiceError):
    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field, status=409)
