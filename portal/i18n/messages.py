"""Service errors in the page's language: the message table's entry translated, with its
parameters and plural form (portal/core/errors.py); one place for every page."""

from __future__ import annotations

from flask_babel import gettext, ngettext

from portal.core.errors import Plural, ServiceError, english, message_for


def translated(error: ServiceError) -> str:
    """The error's sentence in the current language."""
    entry = message_for(error.code)
    if entry is not None and error.message == english(entry, error.params):
        if isinstance(entry, Plural):
            count = int(error.params.get(entry.count, 0))
            return ngettext(entry.singular, entry.plural, count, **error.params)
        return gettext(entry, **error.params)
    # A sentence passed with the raise (a document's own wording): its catalog entry.
    return gettext(error.message)


def field_errors(error: ServiceError) -> dict[str, str]:
    """field -> translated sentence, for every field a refusal names (ValidationFailed
    names several); form-wide refusals come back under the key "form"."""
    problems = getattr(error, "problems", None)
    if problems:
        return {field: translated(problem) for field, problem in problems.items()}
    return {error.field or "form": translated(error)}


def form_expired() -> str:
    """The one sentence for a form whose CSRF token is missing or expired, on every page."""
    return gettext("Your form expired. Please reload the page and try again.")
