"""Jinja's `_`, `gettext` and `ngettext`: catalog text trusted, anything else escaped.

Why bound: Flask-Babel's Jinja callables find the catalog again on every call (domain,
locale and cache, each through `g`: about 15 µs a string, and a console page shows twenty
or more). `gettext_context` (a context processor) finds it once per `render_template` and
gives the template callables bound to it, one set per catalog, kept.

Why trusted: Jinja's newstyle gettext marks whatever it returns safe, so `{{ _(value) }}`
with a value from the data (a category someone named `<b hx-post=...>`) rendered live
HTML. Here only a msgid the project wrote (one in messages.pot) is trusted: its
translation is a format string, marked safe, and the keyword arguments are escaped into
it. Any other string is escaped whole and formatted only when arguments are given. The
same callables replace Flask-Babel's in the environment's globals, so templates rendered
without the context processors (macros imported without context) behave the same.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import Flask
from flask_babel import get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

CATALOG_TEMPLATE = Path(__file__).parent / "translations" / "messages.pot"


@lru_cache(maxsize=1)
def project_msgids() -> frozenset[str]:
    """Every msgid (singular and plural) the project's own catalog template holds."""
    if not CATALOG_TEMPLATE.exists():
        return frozenset()
    with CATALOG_TEMPLATE.open("rb") as handle:
        catalog = read_po(handle)
    ids: set[str] = set()
    for message in catalog:
        ids.update(message.id if isinstance(message.id, tuple) else (message.id,))
    ids.discard("")
    return frozenset(ids)


def _render(autoescape: bool, msgid: str, translated: str, variables: dict[str, Any]) -> str:
    """The translation formatted with `variables`, safe only when `msgid` is the project's."""
    if msgid in project_msgids():
        text: str = Markup(translated) if autoescape else translated  # noqa: S704 - catalog text
        return text % variables
    # Not the project's text: data that reached `_()`. Never markup, never a format string
    # unless arguments were given (a "%" in a category name must not raise).
    text = escape(translated) if autoescape else str(translated)
    return text % variables if variables else text


def make_callables(
    translations: Callable[[], NullTranslations],
) -> dict[str, Callable[..., str]]:
    """`_`, `gettext` and `ngettext` reading the catalog that `translations()` gives."""

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
        return _render(eval_ctx.autoescape, string, translations().ugettext(string), variables)

    @pass_eval_context
    def ngettext(
        eval_ctx: EvalContext, singular: str, plural_form: str, num: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", num)
        translated = translations().ungettext(singular, plural_form, num)
        return _render(eval_ctx.autoescape, singular, translated, variables)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


@lru_cache(maxsize=32)
def bound_gettext(translations: NullTranslations) -> dict[str, Callable[..., str]]:
    """The template callables for one catalog, looked up once per render."""
    return make_callables(lambda: translations)


def gettext_context() -> dict[str, Callable[..., str]]:
    """Context processor: the gettext callables of the catalog this request uses now."""
    return bound_gettext(get_translations())


def init_jinja_gettext(app: Flask) -> None:
    """Bound callables for pages; the same trust rule for templates rendered without them."""
    app.context_processor(gettext_context)
    app.jinja_env.globals.update(make_callables(get_translations))
