"""Steps the browser journeys share: signing a demo staff member in, waiting for htmx."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "demo-password"


def sign_in_console(page: Page, email: str = "owner@demo.test") -> None:
    """Sign a demo staff member in through /login and land on the customer list."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))


def sideways_overflow(page: Page) -> tuple[int, int]:
    """(scroll width, visible width) of the page: the first larger means it scrolls sideways."""
    scroll, visible = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return int(scroll), int(visible)


def wait_for_htmx(page: Page) -> None:
    """htmx may come from the local copy a moment after load, and starts once the page is
    parsed (CSP forbids wait_for_function: its polling evaluates strings)."""
    for _ in range(50):
        if page.evaluate("typeof window.htmx === 'object' && document.readyState !== 'loading'"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("htmx did not load")
