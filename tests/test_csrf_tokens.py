"""CSRF tokens signed once per session secret and kept (portal/csrf_tokens.py): still
accepted, never shared between sessions, and signed per request when tokens expire."""

from __future__ import annotations

import re
import time

from portal.csrf_tokens import EXTENSION

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def _tokens(client, path: str = "/login") -> set[str]:
    return set(TOKEN.findall(client.get(path).get_data(as_text=True)))


def test_session_keeps_its_signed_token(app):
    """Two pages of one session, a second apart (tokens carry a timestamp), carry the same
    token, also in a form's hidden field, and a form posted with it passes."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    first = _tokens(client)
    time.sleep(1.05)
    assert len(first) == 1 and _tokens(client) == first
    response = client.post("/language", data={"language": "id", "csrf_token": first.pop()})
    assert response.status_code == 303


def test_sessions_never_share_a_token(app):
    """Another visitor gets the token of their own session secret."""
    first, second = app.test_client(), app.test_client()
    assert _tokens(first).isdisjoint(_tokens(second))
    assert len(app.extensions[EXTENSION]) == 2


def test_kept_token_is_refused_in_another_session(app):
    """A token taken from one session does not pass in another."""
    app.config["WTF_CSRF_ENABLED"] = True
    stolen = _tokens(app.test_client()).pop()
    other = app.test_client()
    _tokens(other)
    response = other.post("/language", data={"language": "id", "csrf_token": stolen})
    assert response.status_code == 400


def test_tokens_expire_and_are_kept_far_inside_their_lifetime(app):
    """The lifetime is a working day; a kept token is reused for a tenth of it at most, so
    the one a page shows is always accepted."""
    from portal.csrf_tokens import keep_seconds

    assert app.config["WTF_CSRF_TIME_LIMIT"] == 8 * 3600
    app.config.update(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=3600)
    assert keep_seconds() == 300
    app.config["WTF_CSRF_TIME_LIMIT"] = 600
    assert keep_seconds() == 60
    client = app.test_client()
    token = _tokens(client).pop()
    assert _tokens(client) == {token}
    response = client.post("/language", data={"language": "id", "csrf_token": token})
    assert response.status_code == 303
