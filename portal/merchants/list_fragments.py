"""HTML of the customer list that is the same for many requests, rendered once and kept.

Why: the filter form (eight labelled WTForms fields, five selects with translated
options) was the largest single cost of a list page, about a fifth of its CPU; the
table's header row and bulk-action menu are sixteen more translated strings, and every
`_()` in a template costs as much as a dozen plain outputs. Their HTML depends only on
what each key below holds; nothing about the signed-in user or the customers is in it
(the filter form has no CSRF token: it is a GET form), so the same key always gives the
same HTML. The form's key still starts with the merchant id, so one merchant's entries
are never served to another.

Kept per app (one per process), the most recently used MAX_ENTRIES fragments.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from threading import Lock
from typing import Any

from flask import current_app, render_template, request
from flask_babel import get_locale
from markupsafe import Markup
from wtforms.fields.core import UnboundField

from portal.merchants.list_forms import CustomerFilterForm, filter_form

TEMPLATE = "merchants/_customer_filters.html"
MAX_ENTRIES = 256
EXTENSION = "rendered_list_fragments"
# The query arguments CustomerFilterForm reads: its field names.
FORM_ARGS = tuple(
    sorted(
        name
        for name in dir(CustomerFilterForm)
        if isinstance(getattr(CustomerFilterForm, name), UnboundField)
    )
)


class RenderedFragments:
    """A small LRU of rendered HTML (locked: the development server runs threads)."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """The HTML kept under `key`, else `render()` (autoescaped template output) kept."""
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
                return html
        html = Markup(render())  # noqa: S704 - the output of an autoescaped template
        with self._lock:
            self._items[key] = html
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return html

    def __len__(self) -> int:
        return len(self._items)


def fixed_fragment(template: str, **context: Hashable) -> Markup:
    """A template whose HTML depends only on the language and `context` (plain values:
    no user, no data, no CSRF token), rendered once per language and context."""
    key = (template, str(get_locale()), request.script_root, tuple(sorted(context.items())))
    return _fragments().get_or_render(key, lambda: render_template(template, **context))


def _fragments() -> RenderedFragments:
    memory = current_app.extensions.get(EXTENSION)
    if memory is None:
        memory = current_app.extensions[EXTENSION] = RenderedFragments()
    return memory


def rendered_filter_form(
    merchant_id: int,
    args: Any,
    errors: Mapping[str, str],
    categories: Sequence[tuple[str, str]],
) -> Markup:
    """The filter form's HTML for these query arguments (a MultiDict) and errors."""
    key = (
        merchant_id,
        str(get_locale()),
        request.script_root,
        tuple(categories),
        tuple(tuple(args.getlist(name)) for name in FORM_ARGS),
        tuple(sorted(errors.items())),
    )
    return _fragments().get_or_render(
        key,
        lambda: render_template(TEMPLATE, form=filter_form(args, categories), errors=errors),
    )
