"""Two-factor journey in Chromium: a member sets up an authenticator app from the account
menu, reading the key shown as text, and signs in again with a TOTP code."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import open_two_factor_setup, sign_out, switch_on_two_factor
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
    open_two_factor_setup(page)
    totp = switch_on_two_factor(page)
    expect(page.get_by_text("10 unused recovery codes")).to_be_visible()
    expect(page.locator("#setup-key")).to_have_count(0)

    sign_out(page)
    _password(page, email)
    expect(page).to_have_url(re.compile(r"/login/code"))
    page.get_by_label("Authentication code").fill(totp.now())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))
