"""Which language a request is served in: the signed-in account's choice (customer or
staff), the session, then the browser."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import Flask, current_app, request, session
from flask_babel import get_locale
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import babel
from portal.i18n.jinja_gettext import init_jinja_gettext


def supported_languages() -> dict[str, str]:
    return dict(current_app.config["LANGUAGES"])


def is_supported(code: str | None) -> bool:
    return bool(code) and code in current_app.config["LANGUAGES"]


def select_locale() -> Locale:
    """A signed-in customer's or staff member's stored language wins, then the session,
    then the browser."""
    from portal.sessions import current_customer, current_staff

    try:
        account = current_customer() or current_staff()
    except SQLAlchemyError:
        from portal.boundary import discard

        # The database is down: the error page still needs a language. The failed read
        # left the transaction unusable; dropping it lets the next query fail as an
        # outage (503) rather than as "rollback first" (500).
        discard()
        account = None
    if account is not None and is_supported(account.language):
        return parsed_locale(str(account.language))
    chosen = session.get("language")
    if is_supported(chosen):
        return parsed_locale(str(chosen))
    best = request.accept_languages.best_match(list(current_app.config["LANGUAGES"]))
    return parsed_locale(best or "en")


@lru_cache(maxsize=16)
def parsed_locale(code: str) -> Locale:
    """Babel's Locale for a supported code, parsed once: Flask-Babel parses a string the
    selector returns on every request (a file-system check each time), not a Locale."""
    return Locale.parse(code)


def current_language() -> str:
    return str(get_locale() or "en")


def init_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    init_jinja_gettext(app)

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"languages": app.config["LANGUAGES"], "current_language": current_language}
