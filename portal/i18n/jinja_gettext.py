"""Jinja's `_`, `gettext` and `ngettext` bound to the request's catalog once per render.

Why: Flask-Babel's Jinja callables find the catalog again on every call (domain, locale
and cache, each through `g`: about 15 µs a string, and a console page shows twenty or
more). `gettext_context` (a context processor) finds it once per `render_template` and
gives the template callables bound to it, one set per catalog, kept. They behave as
Jinja's newstyle gettext that Flask-Babel installs: the translation is always a format
string (`%(name)s` filled from the keyword arguments, `%%` for a percent sign), and
Markup when autoescaping, so the arguments are escaped. Templates rendered without the
context processors (macros imported without context) keep Flask-Babel's callables.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from babel.support import NullTranslations
from flask_babel import get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup


@lru_cache(maxsize=32)
def bound_gettext(translations: NullTranslations) -> dict[str, Callable[..., str]]:
    """`_`, `gettext` and `ngettext` for templates, reading `translations` directly."""
    # The methods Flask-Babel's callables use (babel's aliases of the gettext ones).
    lookup = translations.ugettext
    plural = translations.ungettext

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
        rv = lookup(string)
        if eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - a catalog string; the arguments are escaped
        return rv % variables

    @pass_eval_context
    def ngettext(
        eval_ctx: EvalContext, singular: str, plural_form: str, num: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", num)
        rv = plural(singular, plural_form, num)
        if eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - a catalog string; the arguments are escaped
        return rv % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def gettext_context() -> dict[str, Callable[..., str]]:
    """Context processor: the gettext callables of the catalog this request uses now."""
    return bound_gettext(get_translations())
