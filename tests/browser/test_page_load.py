"""Pages paint without waiting for the htmx CDN: it may hang, fail or answer late, and
exactly one htmx copy still starts within a couple of seconds."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, Route, expect

from tests.browser.helpers import sign_in_console, wait_for_htmx
from tests.support.live import LiveServer

CDN = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.4/**"
LOCAL = Path(__file__).resolve().parents[2] / "static" / "js" / "htmx-2.0.4.min.js"
FIRST_PAINT = "performance.getEntriesByType('paint').filter(e => e.name === 'first-contentful-paint').map(e => e.startTime)[0] || null"  # noqa: E501
HTMX_SINCE_START = "window.htmx ? performance.now() : null"


def _hang_cdn(page: Page) -> list[Route]:
    """Route the CDN to requests that are never answered; the held routes are returned."""
    held: list[Route] = []
    page.route(CDN, lambda route: held.append(route))
    return held


def _serve_pinned(route: Route) -> None:
    """Answer as the CDN does: the pinned file, readable cross-origin (SRI needs CORS)."""
    route.fulfill(
        status=200,
        content_type="text/javascript",
        headers={"Access-Control-Allow-Origin": "*"},
        body=LOCAL.read_text(),
    )


def _first_paint_ms(page: Page) -> float:
    for _ in range(30):
        painted = page.evaluate(FIRST_PAINT)
        if painted is not None:
            return float(painted)
        page.wait_for_timeout(50)
    raise AssertionError("no first-contentful-paint entry")


def _local_requests(page: Page, live_server: LiveServer) -> list[str]:
    seen: list[str] = []
    prefix = f"{live_server.url}/static/js/htmx-2"
    page.on("request", lambda r: seen.append(r.url) if r.url.startswith(prefix) else None)
    return seen


def _live_search_works(page: Page) -> None:
    """The console's phone search updates the table through htmx (the URL follows it)."""
    page.get_by_label("Search in").select_option("PHONE")
    page.get_by_label("Search", exact=True).fill("0171100012")
    expect(page).to_have_url(re.compile(r"keyword=0171100012.*search_in=PHONE"))
    expect(page.locator("#customer-results tbody tr").first).to_contain_text("01711-00012")


def test_console_paints_at_once_and_gets_htmx_when_cdn_never_answers(
    page: Page, live_server: LiveServer
) -> None:
    """With the CDN hanging, the customer list paints in under 1 s, the local htmx copy
    arrives within 3 s, and the live search works through it. (The held request still
    holds back the load event, so the page is opened without waiting for it.)"""
    sign_in_console(page)
    held = _hang_cdn(page)
    local = _local_requests(page, live_server)
    page.goto("/merchant/customers", wait_until="commit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    assert _first_paint_ms(page) < 1000
    wait_for_htmx(page)
    assert page.evaluate(HTMX_SINCE_START) < 3000
    assert held, "the CDN was never asked"
    assert local, "the local htmx copy was not loaded"
    _live_search_works(page)


def test_cdn_that_fails_at_once_falls_back_to_the_local_copy(
    page: Page, live_server: LiveServer
) -> None:
    """The CDN refused at once (the conftest's default): htmx comes from static/ and the
    console's live search works."""
    local = _local_requests(page, live_server)
    sign_in_console(page)
    page.goto("/merchant/customers")
    wait_for_htmx(page)
    assert page.evaluate("window.htmx.version").startswith("2.")
    assert local
    _live_search_works(page)


def test_cdn_answering_after_the_timeout_never_runs_a_second_copy(
    page: Page, live_server: LiveServer
) -> None:
    """The CDN answers (with the right bytes) only after the local copy took over: the
    late copy does not run, so window.htmx stays the local one."""
    held = _hang_cdn(page)
    local = _local_requests(page, live_server)
    page.goto("/", wait_until="commit")
    wait_for_htmx(page)
    assert local
    page.evaluate("window.htmx.portalMark = 'local'")
    assert held
    for route in held:
        _serve_pinned(route)
    page.wait_for_timeout(500)
    assert page.evaluate("window.htmx.portalMark") == "local"


def test_cdn_that_answers_in_time_is_used_alone(page: Page, live_server: LiveServer) -> None:
    """A CDN that answers the pinned file: htmx runs from it, the local copy is never
    fetched, and the live search works."""

    page.route(CDN, _serve_pinned)
    local = _local_requests(page, live_server)
    sign_in_console(page)
    page.goto("/merchant/customers")
    wait_for_htmx(page)
    _live_search_works(page)
    page.wait_for_timeout(1700)  # past the loader's timeout
    assert local == []
