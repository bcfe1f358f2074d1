"""Templates' `_`, `gettext` and `ngettext` (portal/i18n/jinja_gettext.py) give what
Flask-Babel's Jinja callables give, in every language, with the same escaping."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale

from portal.i18n.jinja_gettext import gettext_context

# Catalog strings (plain, with a placeholder, plural) and one that no catalog holds.
SNIPPETS = (
    '{{ _("Customers") }}',
    '{{ gettext("Merchant console") }}',
    '{{ _("Page %(page)s", page=3) }}',
    '{{ _("Page %(page)s", page="<b>2</b>") }}',
    '{{ ngettext("%(num)s customer", "%(num)s customers", 1) }}',
    '{{ ngettext("%(num)s customer", "%(num)s customers", 7) }}',
    '{{ _("More than %(cap)s customers", cap="10,000") }}',
    '{{ _("Not in any catalog: 100%% <sure>") }}',
    '{% autoescape false %}{{ _("Page %(page)s", page="<b>2</b>") }}{% endautoescape %}',
)


def _flask_babel_render(app, source: str) -> str:
    """Rendered without Flask's context processors: Flask-Babel's own callables."""
    return app.jinja_env.from_string(source).render()


@pytest.mark.parametrize("language", ["en", "bn", "id"])
@pytest.mark.parametrize("source", SNIPPETS)
def test_template_gettext_matches_flask_babel(app, language, source):
    """Same string, same escaping of the arguments, as Flask-Babel's `_` in that language."""
    with app.test_request_context("/"), force_locale(language):
        ours = render_template_string(source)
        theirs = _flask_babel_render(app, source)
    assert ours == theirs


def test_template_gettext_translates(app):
    """Bengali and Indonesian pages get their catalog's text, not the English msgid."""
    with app.test_request_context("/"):
        with force_locale("bn"):
            bengali = render_template_string('{{ _("Customers") }}')
        with force_locale("id"):
            indonesian = render_template_string('{{ _("Customers") }}')
    assert bengali != "Customers" and indonesian != "Customers" and bengali != indonesian


def test_templates_use_the_bound_callables(app):
    """Pages rendered through Flask get the catalog-bound callables, one set per language."""
    with app.test_request_context("/"):
        with force_locale("bn"):
            bound = gettext_context()
            used = render_template_string("{{ _ is sameas(fast) }}", fast=bound["_"])
        with force_locale("id"):
            other = gettext_context()
    assert used == "True"
    assert bound["_"] is not other["_"]
    with app.test_request_context("/"), force_locale("bn"):
        assert gettext_context()["_"] is bound["_"]  # kept, not rebuilt per render
