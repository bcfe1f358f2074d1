"""A customer signs up on the demo shop with a code from the SMS outbox, then signs in again."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import wait_for_htmx
from tests.support.live import LiveServer

# Numbers of their own, clear of the demo data (+8801711…) and the factories (+8801911…).
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def new_customer() -> dict[str, str]:
    local = f"01812{next(_serial):06d}"
    return {"local": local, "e164": "+880" + local[1:], "first": "Nasrin", "last": "Sultana"}


def _enter_code(page: Page, live_server: LiveServer, e164: str) -> None:
    code_field = page.get_by_label("Code")
    expect(code_field).to_be_visible()
    expect(code_field).to_have_attribute("inputmode", "numeric")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    code_field.fill(live_server.outbox.last_code(e164))
    page.get_by_role("button", name="Verify").click()


def test_new_customer_signs_up_and_lands_on_profile(
    page: Page, live_server: LiveServer, new_customer: dict[str, str]
) -> None:
    """Sign up, read the code from the outbox, enter it, see the profile signed in."""
    page.goto("/shop/demo/signup")
    expect(page.get_by_label("Country")).to_have_value("BD")
    page.get_by_label("First name").fill(new_customer["first"])
    page.get_by_label("Last name").fill(new_customer["last"])
    page.get_by_label("Phone number").fill(new_customer["local"])
    page.get_by_role("button", name="Send code").click()
    # htmx swaps the code step in and moves the address bar to /code.
    expect(page).to_have_url(re.compile(r"/shop/demo/code$"))
    resend = page.get_by_role("button", name=re.compile("Send a new code"))
    expect(resend).to_be_disabled()  # the countdown runs
    _enter_code(page, live_server, new_customer["e164"])
    expect(page).to_have_url(re.compile(r"/shop/demo/profile"))
    # Signed in for real: the profile page shows instead of sending back to sign-in.
    expect(page.get_by_role("heading", name="Your profile", exact=True)).to_be_visible()
    expect(page.get_by_text("Your account is ready.")).to_be_visible()
    expect(page.get_by_role("link", name="Add your address")).to_be_visible()


def test_same_customer_signs_in_again(
    page: Page, live_server: LiveServer, new_customer: dict[str, str]
) -> None:
    """The customer from the first test signs in with a new code."""
    before = len(live_server.outbox.messages(to=new_customer["e164"]))
    assert before >= 1, "run with the sign-up test first"
    page.goto("/shop/demo/signin")
    page.get_by_label("Phone number").fill(new_customer["local"])
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_label("Code")).to_be_visible()
    assert len(live_server.outbox.messages(to=new_customer["e164"])) == before + 1
    _enter_code(page, live_server, new_customer["e164"])
    expect(page).to_have_url(re.compile(r"/shop/demo/profile"))
    expect(page.get_by_role("heading", name="Your profile", exact=True)).to_be_visible()


def test_wrong_code_shows_inline_error_without_javascript(
    browser, live_server: LiveServer, new_customer: dict[str, str]
) -> None:
    """With JavaScript off the pages still work: a wrong code shows its error in place."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/shop/demo/signin")
        page.get_by_label("Phone number").fill(new_customer["local"])
        page.get_by_role("button", name="Send code").click()
        expect(page).to_have_url(re.compile(r"/shop/demo/code$"))
        right = live_server.outbox.last_code(new_customer["e164"])
        page.get_by_label("Code").fill("000000" if right != "000000" else "111111")
        page.get_by_role("button", name="Verify").click()
        expect(page.locator("#code-error")).to_contain_text("That code is not right")
        expect(page.locator(".error-summary")).to_contain_text("That code is not right")
        page.get_by_label("Code").fill(right)
        page.get_by_role("button", name="Verify").click()
        expect(page).to_have_url(re.compile(r"/shop/demo/profile"))
    finally:
        context.close()


def test_rate_limited_signin_shows_message_with_htmx(page: Page) -> None:
    """A 429 from the per-IP limit is shown in the form (htmx would drop it otherwise)."""
    for attempt in range(6):
        page.goto("/shop/demo/signin")
        wait_for_htmx(page)
        page.get_by_label("Phone number").fill(f"01815{attempt:06d}")
        page.get_by_role("button", name="Send code").click()
        if attempt < 5:
            expect(page.get_by_label("Code")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Too many requests")
    expect(page.get_by_label("Phone number")).to_be_visible()
