"""The home page works in a real browser without network: htmx falls back to the local copy."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import wait_for_htmx
from tests.support.live import LiveServer


def test_home_page_loads_with_local_htmx_when_cdn_unreachable(
    page: Page, live_server: LiveServer
) -> None:
    """The heading shows, htmx is defined from static/, and a CSP header is sent."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto("/")
    assert response is not None and response.ok
    expect(page).to_have_title("Customer portal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer portal")
    wait_for_htmx(page)
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("window.htmx.version").startswith("2.")
    assert any(url.startswith("https://cdn.jsdelivr.net/") for url in requested)
    local = [url for url in requested if url.startswith(f"{live_server.url}/static/js/htmx-")]
    assert local, f"the local htmx copy was not loaded; requests: {requested}"
    csp = response.headers.get("content-security-policy", "")
    assert "script-src" in csp and "'unsafe-eval'" not in csp


def test_home_page_lists_demo_shop_on_phone(phone_page: Page) -> None:
    """On a phone-sized screen the demo shop is listed and nothing scrolls sideways."""
    phone_page.goto("/")
    expect(phone_page.get_by_role("link", name="Demo Store")).to_be_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
