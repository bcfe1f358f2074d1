"""The console's language menu applies itself, is kept on the staff account (so another
device opens in it), and still works without JavaScript through its button."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from portal.extensions import db
from portal.staff.models import StaffUser
from tests.browser.conftest import DESKTOP, _new_context
from tests.browser.helpers import sign_in_console, wait_for_htmx
from tests.support.live import LiveServer

STAFF_EMAIL = "owner@demo.test"


def reset_language(live_server: LiveServer, email: str = STAFF_EMAIL) -> None:
    """Forget a demo staff member's kept language (tests that switch it leave English)."""
    with live_server.app.app_context():
        user = db.session.scalars(db.select(StaffUser).filter_by(email=email)).one()
        user.language = None
        db.session.commit()


def test_menu_applies_itself_and_follows_to_another_device(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    """Choosing Bengali turns the console Bengali at once, with no button to press, and a
    second browser signing in as the same person opens in Bengali."""
    reset_language(live_server)
    try:
        sign_in_console(page, STAFF_EMAIL)
        wait_for_htmx(page)
        expect(page.locator("form.language-switcher button")).to_have_count(0)
        page.get_by_label("Language").select_option("bn")
        expect(page.locator("html")).to_have_attribute("lang", "bn")
        expect(page.get_by_role("heading", level=1)).to_have_text("গ্রাহকগণ")

        other = _new_context(browser, live_server, viewport=DESKTOP, locale="en-US")
        try:
            second = other.new_page()
            second.goto("/login")
            second.get_by_label("Email").fill(STAFF_EMAIL)
            second.get_by_label("Password").fill("demo-password")
            second.get_by_role("button", name="Sign in").click()
            expect(second.locator("html")).to_have_attribute("lang", "bn")
            expect(second.get_by_role("heading", level=1)).to_have_text("গ্রাহকগণ")
        finally:
            other.close()
    finally:
        reset_language(live_server)


def test_menu_without_javascript_uses_its_button(browser: Browser, live_server: LiveServer):
    """With scripting off, the "Change" button is there and switches the language."""
    context = _new_context(browser, live_server, viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_label("Language").select_option("id")
        page.locator("form.language-switcher").get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", "id")
    finally:
        context.close()
