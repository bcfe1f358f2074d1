"""Two-factor journey in Chromium: a member sets up an authenticator app from the account
menu, reading the key shown as text, and signs in again with a TOTP code."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.support.factories import DEFAULT_PASSWORD
from tests.support.live import LiveServer


def _new_member(live_server: LiveServer) -> str:
    """A staff member of the demo shop of this test's own (the demo owner stays as is)."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.merchants.models import Merchant
    from tests.support import factories

    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        member = factories.make_staff(merchant, role="staff", permission="SYSTEM")
        db.session.commit()
        return member.email


def _password(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_member_sets_up_two_factor_and_signs_in_with_a_code(
    page: Page, live_server: LiveServer
) -> None:
    """Account menu -> setup (QR code and key) -> first code -> recovery codes once ->
    sign out -> password -> authentication code -> the console."""
    email = _new_member(live_server)
    _password(page, email)
    expect(page).to_have_url(re.compile(r"/merchant/customers"))
    page.locator("details.account-menu summary").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.get_by_label("Code").fill(totp.at(time.time(), counter_offset=-1))
    page.get_by_role("button", name="Switch on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_text("10 unused recovery codes")).to_be_visible()
    expect(page.locator("#setup-key")).to_have_count(0)

    page.locator("details.account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    _password(page, email)
    expect(page).to_have_url(re.compile(r"/login/code"))
    page.get_by_label("Authentication code").fill(totp.now())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))
