"""axe-core on the main pages, in English, Bengali and Indonesian, at 1280 and 390 px:
no serious or critical violation and no sideways scrolling. Each page's screenshot goes
to test-artifacts/."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, _new_context
from tests.browser.helpers import sideways_overflow, sign_in_console, wait_for_htmx
from tests.browser.test_assist import sign_in_as_assistant
from tests.browser.test_console_language import reset_language
from tests.support.axe import serious_violations
from tests.support.live import LiveServer

LANGUAGES = ("en", "bn", "id")
# (name, path) of the pages a visitor sees, then of the console (signed in as the owner).
VISITOR_PAGES = [
    ("login", "/login"),
    ("signup", "/shop/demo/signup"),
    ("signin", "/shop/demo/signin"),
]
CONSOLE_PAGES = [
    ("customers", "/merchant/customers"),
    # Filtered: "Save these filters" shows, beside the Segments panel.
    ("customers-filtered", "/merchant/customers?status=1"),
    ("segments", "/merchant/segments"),
    ("customer", "/merchant/customers/1"),
    ("reports", "/merchant/reports"),
    ("categories", "/merchant/categories"),
    ("integrations", "/merchant/integrations"),
    ("settings", "/merchant/settings"),
    ("jobs", "/merchant/jobs"),
    ("new-customer", "/merchant/customers/new"),
]

SHOPPER_PAGES = [
    ("profile", "/shop/demo/profile"),
    ("profile-edit", "/shop/demo/profile/edit"),
    ("phone-change", "/shop/demo/profile/phone"),
]
# Shoppers' numbers of this module, clear of the demo data and the other browser tests.
_numbers = itertools.count(7_000_001)


def _choose(page: Page, language: str) -> None:
    wait_for_htmx(page)  # parsed, and portal.js listens for the change
    page.locator("#language-select").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)


def _audit(page: Page, name: str, path: str, language: str, width: str) -> list[str]:
    """The page's serious violations and sideways scrolling as readable lines, after
    saving its screenshot."""
    page.goto(path)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{language}-{width}.png"), full_page=True)
    found = [
        f"{name} {language} {width}: {v['id']} ({v['impact']}, {v['nodes']} nodes, {v['target']})"
        for v in serious_violations(page)
    ]
    scroll, visible = sideways_overflow(page)
    if scroll > visible:
        found.append(f"{name} {language} {width}: scrolls sideways ({scroll} > {visible} px)")
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_main_pages_have_no_serious_violations(
    browser: Browser, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    """Visitor and console pages in all three languages pass axe's serious checks."""
    width = str(viewport["width"])
    context = _new_context(browser, live_server, viewport=viewport)
    found: list[str] = []
    try:
        page = context.new_page()
        for language in LANGUAGES:
            page.goto("/login")
            _choose(page, language)
            for name, path in VISITOR_PAGES:
                found += _audit(page, name, path, language, width)
        page.goto("/login")
        _choose(page, "en")
        sign_in_console(page)
        for language in LANGUAGES:
            _choose(page, language)
            for name, path in CONSOLE_PAGES:
                found += _audit(page, name, path, language, width)
    finally:
        context.close()
        reset_language(live_server)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_shopper_and_assistant_pages_have_no_serious_violations(
    browser: Browser, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    """A shopper who just signed up (profile, edit form, phone change) and the shop
    assistant's screen pass the same checks in all three languages."""
    width = str(viewport["width"])
    phone = f"+88018{next(_numbers):08d}"
    found: list[str] = []
    shopper = _new_context(browser, live_server, viewport=viewport)
    try:
        page = shopper.new_page()
        page.goto("/shop/demo/signup")
        page.get_by_label("First name").fill("Mina")
        page.get_by_label("Phone number").fill("0" + phone[4:])
        page.get_by_role("button", name="Send code").click()
        expect(page.get_by_label("Code")).to_be_visible()
        page.get_by_label("Code").fill(live_server.outbox.last_code(phone))
        page.get_by_role("button", name="Verify").click()
        expect(page).to_have_url(re.compile(r"/shop/demo/profile"))
        for language in LANGUAGES:
            _choose(page, language)
            for name, path in SHOPPER_PAGES:
                found += _audit(page, name, path, language, width)
    finally:
        shopper.close()
    assistant = _new_context(browser, live_server, viewport=viewport)
    try:
        page = assistant.new_page()
        page.goto("/login")
        _choose(page, "en")
        sign_in_as_assistant(page)
        for language in LANGUAGES:
            _choose(page, language)
            found += _audit(page, "assist", "/assist/", language, width)
    finally:
        assistant.close()
        reset_language(live_server, "assistant@demo.test")
    assert found == [], "\n".join(found)
