"""A new shop in Chromium: "Create your shop" from the sign-in page, the link from the mail
file, and the console's getting-started checklist, which the owner then hides."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import mailed_link
from tests.support.live import LiveServer

CONFIRM_LINK = re.compile(r"https?://\S+/register/confirm/[A-Za-z0-9_-]+")


def test_a_merchant_creates_a_shop_and_confirms_it_from_the_mail(
    page: Page, live_server: LiveServer
) -> None:
    email = "new-owner@browser-shop.test"
    page.goto("/login")
    page.get_by_role("link", name="Create your shop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your shop")
    page.get_by_label("Shop name").fill("Browser Bazaar")
    page.get_by_label("Your email").fill(email)
    page.get_by_label("Password", exact=True).fill("browser-pass-1")
    page.get_by_label("Confirm password").fill("browser-pass-1")
    page.get_by_label("Country of your shop").select_option("US")
    page.get_by_role("button", name="Create your shop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # Before confirming, the sign-in says so and offers the link again.
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("browser-pass-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email")
    page.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_text(f"We sent the link again to {email}.")).to_be_visible()

    page.goto(mailed_link(live_server, email, CONFIRM_LINK))
    expect(page.get_by_text("Browser Bazaar")).to_be_visible()
    page.get_by_role("button", name="Confirm and open my shop").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))
    expect(page.get_by_text("Your email is confirmed and your shop is ready.")).to_be_visible()
    checklist = page.locator("section.getting-started")
    expect(checklist.get_by_role("heading", name="Get started")).to_be_visible()
    expect(checklist.get_by_text("0 of 3 steps done")).to_be_visible()
    expect(checklist.get_by_role("link", name="Invite your staff")).to_have_attribute(
        "href", "/merchant/team"
    )
    checklist.get_by_role("button", name="Hide this list").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))
    expect(page.locator("section.getting-started")).to_have_count(0)
