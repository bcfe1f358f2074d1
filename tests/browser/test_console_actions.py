"""Console journey in Chromium: sign in, add a customer, block them with confirmation."""

from __future__ import annotations

import random

from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in_console


def _fresh_phone() -> str:
    return "0199" + "".join(random.choice("0123456789") for _ in range(7))


def test_owner_blocks_customer_through_confirmation(page: Page) -> None:
    """The owner adds a customer, blocks them after confirming, sees flash, status, audit."""
    sign_in_console(page)

    last_name = f"Browser{random.randint(10_000, 99_999)}"
    page.goto("/merchant/customers/new")
    page.get_by_label("First name").fill("Budi")
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Phone number").fill(_fresh_phone())
    page.get_by_role("button", name="Add customer").click()
    expect(page.get_by_text(f"Budi {last_name} has been added")).to_be_visible()
    expect(page.locator("#customer-status")).to_have_text("Unregistered")

    page.get_by_role("link", name="Block", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Block Budi {last_name}?")
    page.get_by_role("button", name="Yes, block").click()

    expect(page.get_by_text(f"Budi {last_name} has been blocked")).to_be_visible()
    expect(page.locator("#customer-status")).to_have_text("Blocked")
    trail = page.locator(".audit-trail")
    expect(trail.locator("li", has_text="Blocked by owner@demo.test")).to_have_count(1)
    expect(page.get_by_role("link", name="Unblock", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Block", exact=True)).to_have_count(0)


def test_overview_staff_sees_no_action_buttons(page: Page) -> None:
    """OVERVIEW staff open a customer page without any write control."""
    sign_in_console(page, "overview@demo.test")
    page.locator("table a[href^='/merchant/customers/']").first.click()
    expect(page.get_by_role("heading", name="Order history")).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Block", exact=True)).to_have_count(0)


def test_owner_bulk_blocks_selected_rows(page: Page, live_server, make_customer) -> None:
    """Select two rows in the list, choose Block, confirm the listed names, see the result."""
    from sqlalchemy import select

    from portal.customers.models import Customer
    from portal.extensions import db
    from portal.merchants.models import Merchant

    tag = f"Bulk{random.randint(100_000, 999_999)}"
    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        ids = [make_customer(merchant, first_name=n, last_name=tag).id for n in ("Ani", "Eko")]

    sign_in_console(page)

    page.goto(f"/merchant/customers?keyword={tag}&search_in=NAME")
    for customer_id in ids:
        page.locator(f"#select-{customer_id}").check()
    page.get_by_label("With selected").select_option("block")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Block 2 selected")
    expect(page.locator(".bulk-list")).to_contain_text(f"Ani {tag}")
    expect(page.locator(".bulk-list")).to_contain_text(f"Eko {tag}")
    page.get_by_role("button", name="Yes, block").click()
    expect(page.get_by_text("2 customers blocked.")).to_be_visible()

    with live_server.app.app_context():
        statuses = db.session.scalars(
            select(Customer.registration_status).where(Customer.id.in_(ids))
        ).all()
    assert statuses == ["4", "4"]
