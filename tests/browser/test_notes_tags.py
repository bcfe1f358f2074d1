"""Tags and notes in Chromium: tag two customers in bulk, filter the list on the tag,
write a note on one of them and see it in the timeline."""

from __future__ import annotations

import random

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in_console


def test_owner_tags_two_customers_in_bulk_and_filters_on_the_tag(
    page: Page, live_server, make_customer
) -> None:
    """Select two rows, "Add tag" with a new tag, confirm, then the "Tag" filter finds them."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.merchants.models import Merchant

    family = f"Tagged{random.randint(100_000, 999_999)}"
    tag = f"VIP {random.randint(100_000, 999_999)}"
    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        ids = [make_customer(merchant, first_name=n, last_name=family).id for n in ("Ani", "Eko")]
        make_customer(merchant, first_name="Untagged", last_name=family)

    sign_in_console(page)
    page.goto(f"/merchant/customers?keyword={family}&search_in=NAME")
    for customer_id in ids:
        page.locator(f"#select-{customer_id}").check()
    page.get_by_label("With selected").select_option("add_tag")
    page.locator("#bulk-tag").fill(tag)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Add the tag “{tag}” to 2 selected customers?"
    )
    page.get_by_role("button", name="Yes, add the tag").click()
    expect(page.get_by_text(f"Tag “{tag}” added to 2 customers.")).to_be_visible()

    page.goto(f"/merchant/customers?tag={tag.lower()}")
    table = page.locator(".customer-table")
    expect(table).to_contain_text(f"Ani {family}")
    expect(table).to_contain_text(f"Eko {family}")
    expect(table).not_to_contain_text("Untagged")


def test_owner_writes_a_note_that_shows_in_the_timeline(
    page: Page, live_server, make_customer
) -> None:
    """The note form ("Note") adds a note, shown as text with its author in the timeline."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.merchants.models import Merchant

    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        customer_id = make_customer(merchant, first_name="Noted", last_name="Customer").id

    sign_in_console(page)
    page.goto(f"/merchant/customers/{customer_id}")
    page.get_by_label("Note", exact=True).fill("<b>Prefers</b> calls after 5pm")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note added.")).to_be_visible()
    note = page.locator(".timeline-note").first
    expect(note).to_contain_text("<b>Prefers</b> calls after 5pm")
    expect(note.locator("b")).to_have_count(0)
    expect(note).to_contain_text("Note by")
    page.get_by_label("Tag", exact=True).fill("Wholesale")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator(".tag-list")).to_contain_text("Wholesale")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer-notes-tags.png"), full_page=True)

    note.get_by_role("link", name="Delete note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this note?")
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_text("Note deleted.")).to_be_visible()
    expect(page.locator(".timeline-note")).to_have_count(0)
