"""Team invitation journey in Chromium: the owner invites a member from /merchant/team,
the link is opened from the mail file, and the invitee joins and lands in the console."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import mailed_link, sign_in_console
from tests.support.live import LiveServer

INVITATION_LINK = re.compile(r"https?://\S+/invitation/[A-Za-z0-9_-]+")


def test_owner_invites_a_member_who_joins_from_the_mailed_link(
    page: Page, live_server: LiveServer
) -> None:
    """Team page -> invite (email, role) -> pending list -> mailed link -> name and
    password -> signed in as the new member, who cannot open the team page."""
    email = "joining-member@example.test"
    sign_in_console(page)
    page.goto("/merchant/team")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Role", exact=True).select_option(label="Staff, can make changes")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text(f"The invitation was sent to {email}.")).to_be_visible()
    pending = page.locator("section", has=page.get_by_role("heading", name="Pending invitations"))
    expect(pending.get_by_role("cell", name=email)).to_be_visible()

    page.goto(mailed_link(live_server, email, INVITATION_LINK))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Join the team of")
    page.get_by_label("Your name").fill("Joining Member")
    page.get_by_label("Password", exact=True).fill("joining-pass-42")
    page.get_by_label("Confirm password").fill("joining-pass-42")
    page.get_by_role("button", name="Join the team").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))
    expect(page.get_by_text("Welcome to the team of")).to_be_visible()
    response = page.goto("/merchant/team")
    assert response is not None and response.status == 403
