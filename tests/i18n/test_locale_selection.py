"""The locale selector hands Flask-Babel a Locale parsed once per language."""

from __future__ import annotations

from portal.i18n.locale import select_locale


def test_selected_locale_is_parsed_once(app):
    """Two requests in Bengali get the same Locale object, not a new parse each."""
    headers = {"Accept-Language": "bn-BD,bn;q=0.9"}
    with app.test_request_context("/", headers=headers):
        first = select_locale()
    with app.test_request_context("/", headers=headers):
        second = select_locale()
    assert str(first) == "bn" and first is second
