"""The customer list's filter form, rendered once per distinct input and kept.

Why: the filter form (eight labelled WTForms fields, five selects with translated
options) was the largest single cost of a list page, about a fifth of its CPU. Its HTML
depends only on what the key below holds: no CSRF token (it is a GET form), nothing
about the signed-in user or the customers. The key starts with the merchant id, so one
merchant's entries are never served to another. The table head, bulk-action menu and
console navigation are kept the same way by `fixed_fragment` (portal/fragments.py),
in the same per-process memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup
from wtforms.fields.core import UnboundField

from portal.form_errors import add_error
from portal.fragments import fragments
from portal.merchants.list_forms import CustomerFilterForm, filter_form

TEMPLATE = "merchants/_customer_filters.html"
# The query arguments CustomerFilterForm reads: its field names.
FORM_ARGS = tuple(
    sorted(
        name
        for name in dir(CustomerFilterForm)
        if isinstance(getattr(CustomerFilterForm, name), UnboundField)
    )
)


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
    return fragments().get_or_render(
        key,
        lambda: render_template(TEMPLATE, form=_refused_form(args, categories, errors)),
    )


def _refused_form(
    args: Any, categories: Sequence[tuple[str, str]], errors: Mapping[str, str]
) -> CustomerFilterForm:
    """The filter form with a refused filter's messages on its fields."""
    form = filter_form(args, categories)
    for name, message in errors.items():
        add_error(form, name, message)
    return form
