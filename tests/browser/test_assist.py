"""A retailer assistant registers a walk-in shopper on a phone-sized screen."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.core.phone import format_phone
from tests.support.factories import unique_phone
from tests.support.live import LiveServer

ASSISTANT = "assistant@demo.test"
PASSWORD = "demo-password"
MIN_TOUCH_PX = 44


def sign_in_as_assistant(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(ASSISTANT)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/assist/$"))
    # Let htmx (the local copy, the CDN being unreachable here) load, so its path is used.
    page.wait_for_load_state("load")


def test_assistant_registers_and_verifies_shopper_on_phone(
    phone_page: Page, live_server: LiveServer
) -> None:
    """Sign in, register, read the code from the outbox, verify, see the shopper verified."""
    page = phone_page
    sign_in_as_assistant(page)
    e164 = unique_phone("BD")
    national = "0" + e164.removeprefix("+880")

    expect(page.get_by_role("heading", name="Register a shopper")).to_be_visible()
    page.get_by_label("First name", exact=True).fill("Shirin")
    page.get_by_label("Last name", exact=True).fill("Begum")
    page.get_by_label("Phone number", exact=True).fill(national)
    page.get_by_label("Gender", exact=True).select_option("female")
    page.get_by_label("Age", exact=True).fill("41")
    register = page.get_by_role("button", name="Register")
    box = register.bounding_box()
    assert box is not None and box["height"] >= MIN_TOUCH_PX
    register.click()

    expect(page).to_have_url(re.compile(r"/assist/shoppers/\d+/code$"))
    code_field = page.get_by_label("Code", exact=True)
    expect(code_field).to_be_focused()
    expect(code_field).to_have_attribute("inputmode", "numeric")
    expect(page.get_by_role("button", name=re.compile("Send a new code"))).to_be_visible()
    code_field.fill(live_server.outbox.last_code(e164))
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(re.compile(r"/assist/$"))
    expect(page.get_by_text("Shirin Begum is verified and registered.")).to_be_visible()
    today = page.locator("#today")
    row = today.locator("li", has_text="Shirin Begum")
    expect(row).to_contain_text("Verified")
    expect(row).to_contain_text(format_phone(e164))
    expect(today.locator("#count-today")).not_to_have_text("0")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_wrong_code_keeps_assistant_on_code_step_on_phone(
    phone_page: Page, live_server: LiveServer
) -> None:
    """A wrong code shows its message in place (htmx), the field focused for another try."""
    page = phone_page
    sign_in_as_assistant(page)
    e164 = unique_phone("BD")
    page.get_by_label("First name", exact=True).fill("Arif")
    page.get_by_label("Last name", exact=True).fill("Hossain")
    page.get_by_label("Phone number", exact=True).fill(e164)
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(re.compile(r"/code$"))
    page.wait_for_load_state("load")
    right = live_server.outbox.last_code(e164)
    wrong = "000000" if right != "000000" else "111111"
    page.get_by_label("Code", exact=True).fill(wrong)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#code-error")).to_contain_text("That code is not right.")
    expect(page.locator(".error-summary a[href='#code']")).to_be_visible()
    # htmx swapped the code step in place: still on the code page, not the POST's URL.
    expect(page).to_have_url(re.compile(r"/code$"))
    expect(page.get_by_label("Code", exact=True)).to_be_focused()
    page.get_by_label("Code", exact=True).fill(right)
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/assist/$"))
    expect(page.locator("#today li", has_text="Arif Hossain")).to_contain_text("Verified")
