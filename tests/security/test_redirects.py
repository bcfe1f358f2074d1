"""Redirects stay inside the portal (security issue, finding 9: /language and Referer)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("next_value", "referrer"),
    [
        ("https://evil.example/phish", "https://evil.example/phish"),
        ("//evil.example/x", None),
        ("", "https://evil.example/phish"),
        ("/\\evil.example", "http://localhost.evil.example/"),
    ],
)
def test_language_switch_never_redirects_off_site(client, next_value, referrer):
    """A bad `next` falls back to the Referer only when that is this site, else home."""
    headers = {"Referer": referrer} if referrer else {}
    response = client.post(
        "/language", data={"language": "bn", "next": next_value}, headers=headers
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/"), response.headers["Location"]
    assert "evil" not in response.headers["Location"]


def test_language_switch_returns_to_the_referring_page_of_this_site(client):
    """Without `next`, the page the visitor came from (same host) is where they return."""
    response = client.post(
        "/language", data={"language": "id"}, headers={"Referer": "http://localhost/shop/a?x=1"}
    )
    assert response.headers["Location"] == "/shop/a?x=1"
