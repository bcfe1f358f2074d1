"""Marketing consent in Chromium: a customer ticks "Send me offers by email" on the
profile, and the shop's owner sees it on the customer page with its source."""

from __future__ import annotations

import random
import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.merchants.models import Merchant
from tests.browser.helpers import sign_in_console
from tests.support.live import LiveServer


def test_customer_gives_email_consent_and_the_owner_sees_it(
    page: Page, live_server: LiveServer, make_customer
) -> None:
    """Sign in by code, tick the email box, save; the console shows Yes · Profile."""
    family = f"Consent{random.randint(100_000, 999_999)}"
    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        customer = make_customer(merchant, first_name="Rina", last_name=family, language="en")
        phone, customer_id, slug = customer.phone, customer.id, merchant.slug

    page.goto(f"/shop/{slug}/signin")
    page.fill("#phone", phone)
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.fill("#code", live_server.outbox.last_code(phone))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(rf"/shop/{slug}/profile$"))

    section = page.get_by_role("region", name="Marketing consent")
    expect(section.get_by_label("Send me offers by SMS")).not_to_be_checked()
    section.get_by_label("Send me offers by email").check()
    section.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Your marketing choices were saved.")).to_be_visible()
    expect(page.get_by_label("Send me offers by email")).to_be_checked()

    page.context.clear_cookies()
    sign_in_console(page)
    page.goto(f"/merchant/customers/{customer_id}")
    email = page.locator('[data-consent="email"]')
    expect(email).to_contain_text("Yes")
    expect(email).to_contain_text("Profile")
    expect(page.locator('[data-consent="sms"]')).to_contain_text("No")
