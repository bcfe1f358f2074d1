"""Rendered HTML that is the same for many requests, kept per process and reused.

Why: every template call (`url_for`, `_()`, an include) costs time on each request,
and much of a page never changes between requests: the layout's asset links, the
language menu, the console's navigation, the list's table head. `fixed_fragment`
renders such a template once per language, URL root and the plain values it is
given, and returns the kept HTML afterwards. Only what the key holds may vary the HTML:
nothing about the signed-in user, the data or the session (no CSRF token, no names,
no flashed messages) goes into a kept fragment, so the same key always gives the same
HTML and an entry can be shared by everyone.

Kept per app (one per process), the most recently used MAX_ENTRIES fragments.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Flask, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from portal.core.memory import Kept, app_memory

MAX_ENTRIES = 256
EXTENSION = "rendered_list_fragments"


class RenderedFragments(Kept):
    """The most recently used MAX_ENTRIES fragments (no TTL: the HTML never goes stale)."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        super().__init__(maxsize=size)

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """The HTML kept under `key`, else `render()` (autoescaped template output) kept."""
        return self.get_or_make(key, lambda: Markup(render()))  # noqa: S704 - template output

    def kept_keys(self) -> list[Hashable]:
        """The keys kept now, least recently used first."""
        return list(self.keys())


def fixed_fragment(template: str, **context: Hashable) -> Markup:
    """A template whose HTML depends only on the language, the URL root and `context`
    (plain values: no user, no data, no CSRF token), rendered once per distinct key."""
    key = (template, str(get_locale()), request.script_root, tuple(sorted(context.items())))
    return fragments().get_or_render(key, lambda: render_template(template, **context))


def fragments() -> RenderedFragments:
    """This app's kept fragments."""
    return app_memory(EXTENSION, RenderedFragments)


def init_fragments(app: Flask) -> None:
    """`fixed_fragment` for every template, the layout's included."""
    app.jinja_env.globals["fixed_fragment"] = fixed_fragment
