"""Browser fixtures: the app on a real port with demo data, and Chromium through Playwright.

One live server serves the whole run (its own database, CSRF on, rate limits on and reset
before each test), so tests must not depend on each other's data: use fresh phone
numbers and e-mail addresses. Every test in this folder is marked `browser`.
Pages can reach the live server only; any other address (the htmx CDN) is refused at
once, so the page falls back to the local htmx copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from portal.extensions import db, limiter
from tests.support.apps import make_test_app
from tests.support.database import backend, upgrade
from tests.support.live import LiveServer
from tests.support.postgres import PostgresServer

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser/ `browser` (before -m selects)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Keep each phase's report on the item, so `page` can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The app the live server runs, on its own migrated and demo-seeded database."""
    workdir = tmp_path_factory.mktemp("live")
    if backend() == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database("portal_browser")
    else:
        url = f"sqlite:///{workdir / 'browser.sqlite3'}"
    app = make_test_app(
        url,
        workdir,
        TESTING=False,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
    )
    upgrade(app)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    yield app
    # Close pooled connections before the database server goes away.
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    """The app over HTTP: `.url`, `.app`, `.outbox_path` and `.outbox` (SmsOutbox)."""
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_rate_limits(live_server: LiveServer) -> None:
    """Limits stay on, but each test starts with none used up."""
    with live_server.app.app_context():
        limiter.reset()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium (Playwright downloads no browser here)."""
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


def _new_context(browser: Browser, live_server: LiveServer, **options: object) -> BrowserContext:
    context = browser.new_context(base_url=live_server.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    # Only the live server is reachable: anything else fails at once instead of hanging.
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    return context


def _page_in(context: BrowserContext, request: pytest.FixtureRequest, name: str) -> Iterator[Page]:
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{slug}-{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A desktop page (1280x800) in a fresh context; relative URLs go to the live server."""
    yield from _page_in(_new_context(browser, live_server, viewport=DESKTOP), request, "page")


@pytest.fixture
def phone_page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A phone-sized touch page (390x844) in a fresh context."""
    context = _new_context(
        browser,
        live_server,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    yield from _page_in(context, request, "phone")
