"""The layout's kept fragments (portal/fragments.py): the asset links and the language
menu are rendered once per language and URL root, and never carry a session's data."""

from __future__ import annotations

import re

from portal.fragments import EXTENSION

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def _menu(html: str) -> str:
    return html.split('<label for="language-select">')[1].split("</select>")[0]


def _kept_menus(app) -> list[tuple]:
    return [key for key in app.extensions[EXTENSION].kept_keys() if "_language_choices" in key[0]]


def test_language_menu_is_kept_per_language(app):
    """English and Bengali pages each get their own menu, with their language selected."""
    english = app.test_client().get("/").get_data(as_text=True)
    bengali_client = app.test_client()
    bengali_client.post("/language", data={"language": "bn"})
    bengali = bengali_client.get("/").get_data(as_text=True)
    assert '<option value="en" lang="en" selected>' in _menu(english)
    assert '<option value="bn" lang="bn" selected>' in _menu(bengali)
    assert _menu(english) != _menu(bengali)
    assert sorted(key[1] for key in _kept_menus(app)) == ["bn", "en"]


def test_kept_layout_still_carries_each_sessions_token(app):
    """Two visitors share the kept menu and asset links, never the form's CSRF token."""
    first = app.test_client().get("/").get_data(as_text=True)
    second = app.test_client().get("/").get_data(as_text=True)
    assert _menu(first) == _menu(second)
    assert 'href="/static/css/portal.css"' in first and 'href="/static/css/portal.css"' in second
    assert TOKEN.findall(first) and TOKEN.findall(second)
    assert set(TOKEN.findall(first)).isdisjoint(TOKEN.findall(second))
    assert len(_kept_menus(app)) == 1
