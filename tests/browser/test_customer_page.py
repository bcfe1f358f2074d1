"""The merchant's customer page in Chromium at 1280 px and 390 px: labels, not codes, the
trail in sentences, no sideways scrolling on a phone, Block and Delete not first."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in_console

# Codes the page used to show; none may be visible now.
RAW_CODES = re.compile(
    r"Active state Y|Language en|Registered by self|customer:\d|customer:signup"
    r"|\b(?:verification|status|customer|edit_link|storefront)\.[a-z_]+\b|(?:^|\s)(?:Y|BD|en)(?:\s|$)|—"
)
DESTRUCTIVE = ("Block", "Delete", "Refuse")


def _demo_customer_with_history(live_server) -> int:
    """A customer of the demo shop who signed up, confirmed and changed language."""
    from sqlalchemy import select

    from portal.core.audit import record_audit
    from portal.customers.services import update_customer
    from portal.extensions import db
    from portal.merchants.models import Merchant
    from tests.support import factories

    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        customer = factories.make_customer(
            merchant,
            first_name="Nusrat",
            last_name=f"Jahan{random.randint(10_000, 99_999)}",
            language="bn",
            registered_by="self",
            created_by="customer:signup",
        )
        me = f"customer:{customer.id}"
        record_audit(
            merchant.id, customer_id=customer.id, actor=me, action="verification.sent",
            note="signin",
        )  # fmt: skip
        record_audit(
            merchant.id,
            customer_id=customer.id,
            actor=me,
            action="verification.confirmed",
            changes={"phone": [None, customer.phone], "unconfirmed_phone": [None, None]},
        )
        update_customer(customer, {"language": "en"}, actor=me)
        db.session.commit()
        return customer.id


def _check_customer_page(page: Page, live_server, width: str) -> None:
    customer_id = _demo_customer_with_history(live_server)
    sign_in_console(page)
    # A demo customer from the list first: its page shows no code either.
    page.locator("table a[href^='/merchant/customers/']").first.click()
    expect(page.get_by_role("heading", name="Order history")).to_be_visible()
    assert not RAW_CODES.search(page.locator("main").inner_text())

    page.goto(f"/merchant/customers/{customer_id}")
    main = page.locator("main")
    text = main.inner_text()
    assert not RAW_CODES.search(text), RAW_CODES.search(text)
    expect(page.locator(".audit-trail")).to_contain_text("changed language from Bangla to English")
    expect(page.locator(".audit-trail")).to_contain_text("Code sent for sign-in")
    expect(page.locator(".audit-trail")).to_contain_text("Phone confirmed")
    expect(main).to_contain_text("Signed up themselves")
    expect(main).to_contain_text("Bangladesh Time")

    buttons = main.locator("a.button, button:visible").all_inner_texts()
    labels = [b.strip() for b in buttons if b.strip()]
    assert labels[0] == "Edit", labels
    first_destructive = min(labels.index(name) for name in ("Block", "Delete"))
    assert all(name not in DESTRUCTIVE for name in labels[:first_destructive])
    assert first_destructive > labels.index("Show orders")  # after the page's content

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"customer-page-{width}.png"), full_page=True)


def test_customer_page_reads_for_people_on_desktop(page: Page, live_server) -> None:
    """At 1280 px: labels and sentences, Edit first, Block and Delete at the end."""
    _check_customer_page(page, live_server, "1280")


def test_customer_page_reads_for_people_on_a_phone(phone_page: Page, live_server) -> None:
    """At 390 px the same, and the page does not scroll sideways."""
    _check_customer_page(phone_page, live_server, "390")


@pytest.mark.parametrize("language", ["bn", "id"])
def test_customer_page_has_no_codes_in_other_languages(
    phone_page: Page, live_server, language: str
) -> None:
    """In Bengali and Indonesian the page shows no code and no English trail sentence."""
    customer_id = _demo_customer_with_history(live_server)
    sign_in_console(phone_page)
    phone_page.set_extra_http_headers({"Accept-Language": language})
    phone_page.goto(f"/merchant/customers/{customer_id}")
    text = phone_page.locator("main").inner_text()
    assert not RAW_CODES.search(text), RAW_CODES.search(text)
    assert "Code sent for sign-in" not in text and "Signed up themselves" not in text
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    phone_page.screenshot(path=str(ARTIFACTS / f"customer-page-390-{language}.png"), full_page=True)
