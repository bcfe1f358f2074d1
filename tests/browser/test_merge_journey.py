"""Issue 17's CRM journey in Chromium: tag two customers in bulk, save the tag's list as
a segment, merge the two (they share an email, so each is the other's possible
duplicate) with a value chosen from each, then undo the merge."""

from __future__ import annotations

import random
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in_console, wait_for_htmx


def test_owner_tags_in_bulk_saves_a_segment_merges_two_duplicates_and_undoes_it(
    page: Page, live_server, make_customer
) -> None:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.merchants.models import Merchant

    serial = random.randint(100_000, 999_999)
    family, tag, segment = f"Twin{serial}", f"Repeat {serial}", f"Twins {serial}"
    email = f"twin{serial}@example.com"
    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        kept = make_customer(merchant, first_name="Rina", last_name=family, email=email)
        other = make_customer(
            merchant,
            first_name="Rina",
            last_name=f"{family}-Begum",
            email=email,
            postal_code="1216",
        )
        kept_id, other_id = kept.id, other.id

    sign_in_console(page)
    page.goto(f"/merchant/customers?keyword={family}&search_in=NAME")
    for customer_id in (kept_id, other_id):
        page.locator(f"#select-{customer_id}").check()
    page.get_by_label("With selected").select_option("add_tag")
    page.locator("#bulk-tag").fill(tag)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Yes, add the tag").click()
    expect(page.get_by_text(f"Tag “{tag}” added to 2 customers.")).to_be_visible()

    page.goto(f"/merchant/customers?tag={tag.lower()}")
    wait_for_htmx(page)
    page.get_by_label("Segment name").fill(segment)
    page.get_by_role("button", name="Save these filters").click()
    expect(page.get_by_text(f"Segment “{segment}” saved.")).to_be_visible()
    panel_entry = page.locator("#segments-panel li.segment", has_text=segment)
    expect(panel_entry).to_contain_text("2 customers")

    page.goto(f"/merchant/customers/{kept_id}")
    duplicates = page.locator("section[aria-labelledby='duplicates-heading']")
    expect(duplicates).to_contain_text("Same email")
    duplicates.get_by_role("link", name=re.compile(r"^Merge")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merge")
    # The last names differ: keep the other record's; its postal code comes along by itself.
    page.locator("input[name='keep-last_name'][value='other']").check()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer-merge.png"), full_page=True)
    page.get_by_role("button", name="Merge records").click()

    expect(page).to_have_url(re.compile(rf"/merchant/customers/{kept_id}$"))
    expect(page.get_by_text("You can undo this for 24 hours.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{family}-Begum")
    expect(page.locator("body")).to_contain_text("1216")
    page.goto(f"/merchant/customers/{other_id}")  # the old id leads to the kept record
    expect(page).to_have_url(re.compile(rf"/merchant/customers/{kept_id}$"))
    page.goto(f"/merchant/customers?tag={tag.lower()}")  # one person, one row, tags joined
    expect(page.locator(".customer-table tbody tr", has_text=family)).to_have_count(1)

    page.goto(f"/merchant/customers/{kept_id}")
    page.get_by_role("button", name="Undo merge").click()
    expect(page.get_by_text("The merge has been undone")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Begum")
    page.goto(f"/merchant/customers/{other_id}")
    expect(page).to_have_url(re.compile(rf"/merchant/customers/{other_id}$"))
    page.goto(f"/merchant/customers?tag={tag.lower()}")
    expect(page.locator(".customer-table tbody tr", has_text=family)).to_have_count(2)
