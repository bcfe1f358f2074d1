"""WTForms' own messages ("Not a valid choice.", its "wtforms" domain) from catalogs parsed
once per language and process.

Why: Flask-WTF finds that catalog again for every request that builds a form, reading and
parsing WTForms' .mo file each time (about 1 ms for English, a sign-up's every post). It
looks for `request.wtforms_translations` first; a request is given one that answers from
the kept catalog of its language, found only when a message is first asked for. The
catalogs are the installed package's files, which do not change while the process runs.
"""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import Flask, request
from flask_babel import get_locale
from wtforms.i18n import messages_path

from portal.i18n.locale import parsed_locale


@lru_cache(maxsize=16)
def wtforms_catalog(code: str) -> support.NullTranslations:
    """WTForms' catalog for the language `code` (a NullTranslations when it has none)."""
    return support.Translations.load(messages_path(), [parsed_locale(code)], domain="wtforms")


class RequestMessages:
    """What Flask-WTF reads from `request.wtforms_translations`, in the request's language."""

    @staticmethod
    def _catalog() -> support.NullTranslations:
        return wtforms_catalog(str(get_locale() or "en"))

    def ugettext(self, string: str) -> str:
        return self._catalog().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ungettext(singular, plural, n)


def _hand_over() -> None:
    request.wtforms_translations = RequestMessages()  # type: ignore[attr-defined]


def init_wtforms_messages(app: Flask) -> None:
    app.before_request(_hand_over)
