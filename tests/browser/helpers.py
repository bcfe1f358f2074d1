"""Steps the browser journeys share: signing a demo staff member in, following a mailed
link, switching on two-factor sign-in, waiting for htmx."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.support.live import LiveServer
from tests.support.outbox import MailFolder

DEMO_PASSWORD = "demo-password"


def sign_in_console(page: Page, email: str = "owner@demo.test") -> None:
    """Sign a demo staff member in through /login and land on the customer list."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/merchant/customers"))


def mailed_link(live_server: LiveServer, to: str, pattern: re.Pattern[str]) -> str:
    """The first match of `pattern` in the newest mail to `to` in the server's mail folder."""
    folder = MailFolder(live_server.app.config["MAIL_DIR"])
    mails = [m for m in folder.messages() if m["To"] == to]
    assert mails, f"no mail to {to}"
    match = pattern.search(mails[-1].get_content())
    assert match, mails[-1].get_content()
    return match.group(0)


def open_two_factor_setup(page: Page) -> None:
    """From any console page, through the account menu."""
    page.locator("details.account-menu summary").click()
    page.get_by_role("link", name="Two-factor sign-in").click()


def switch_on_two_factor(page: Page) -> pyotp.TOTP:
    """On the setup page: the key read as text -> a first code -> the recovery codes,
    once. Answers the authenticator, for the codes of later sign-ins."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    totp = pyotp.TOTP(page.locator("#setup-key").inner_text().replace(" ", ""))
    # The code of the previous 30 s window: the one about to be current is spent below.
    page.get_by_label("Code").fill(totp.at(time.time(), counter_offset=-1))
    page.get_by_role("button", name="Switch on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Done").click()
    return totp


def sign_out(page: Page) -> None:
    page.locator("details.account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()


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
