"""A shop's first day in Chromium, end to end: the owner creates the shop and confirms it
from the mail file, switches on two-factor sign-in and requires it of the team, invites a
member; the member joins from the mailed link, is made to set up an authenticator app,
and signs in again with a TOTP code."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    mailed_link,
    open_two_factor_setup,
    sign_out,
    switch_on_two_factor,
)
from tests.support.live import LiveServer

CONFIRM_LINK = re.compile(r"https?://\S+/register/confirm/[A-Za-z0-9_-]+")
INVITATION_LINK = re.compile(r"https?://\S+/invitation/[A-Za-z0-9_-]+")
OWNER = "first-day-owner@journey-shop.test"
MEMBER = "first-day-member@journey-shop.test"


def _create_shop(page: Page, live_server: LiveServer) -> None:
    page.goto("/register")
    page.get_by_label("Shop name").fill("Journey Goods")
    page.get_by_label("Your email").fill(OWNER)
    page.get_by_label("Password", exact=True).fill("journey-owner-1")
    page.get_by_label("Confirm password").fill("journey-owner-1")
    page.get_by_label("Country of your shop").select_option("US")
    page.get_by_role("button", name="Create your shop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(mailed_link(live_server, OWNER, CONFIRM_LINK))
    page.get_by_role("button", name="Confirm and open my shop").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))


def _require_two_factor_and_invite(page: Page) -> None:
    open_two_factor_setup(page)
    switch_on_two_factor(page)
    page.goto("/merchant/team")
    page.get_by_label("Require two-factor sign-in for the whole team").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Require two-factor sign-in for the whole team")).to_be_checked()
    page.get_by_label("Email", exact=True).fill(MEMBER)
    page.get_by_label("Role", exact=True).select_option(label="Staff, can make changes")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text(f"The invitation was sent to {MEMBER}.")).to_be_visible()


def _join(page: Page, live_server: LiveServer) -> None:
    page.goto(mailed_link(live_server, MEMBER, INVITATION_LINK))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the team of Journey Goods")
    page.get_by_label("Your name").fill("First Member")
    page.get_by_label("Password", exact=True).fill("journey-member-1")
    page.get_by_label("Confirm password").fill("journey-member-1")
    page.get_by_role("button", name="Join the team").click()


def _password(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_new_shop_invites_a_member_who_signs_in_with_a_totp_code(
    page: Page, live_server: LiveServer
) -> None:
    _create_shop(page, live_server)
    _require_two_factor_and_invite(page)
    sign_out(page)

    _join(page, live_server)
    # The shop requires it, so the console stays shut until the member has an app.
    expect(page).to_have_url(re.compile(r"/account/two-factor"))
    expect(page.get_by_text("Your shop requires two-factor sign-in.")).to_be_visible()
    page.goto("/merchant/customers")
    expect(page).to_have_url(re.compile(r"/account/two-factor"))
    totp = switch_on_two_factor(page)
    sign_out(page)

    _password(page, MEMBER, "journey-member-1")
    expect(page).to_have_url(re.compile(r"/login/code"))
    wrong = f"{(int(totp.now()) + 500_000) % 1_000_000:06d}"  # not the current code
    page.get_by_label("Authentication code").fill(wrong)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right.", exact=False).first).to_be_visible()
    page.get_by_label("Authentication code").fill(totp.now())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))
    expect(page.locator("details.account-menu summary")).to_contain_text("First Member")
