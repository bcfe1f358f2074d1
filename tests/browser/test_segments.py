"""Segments in Chromium: save the list's filters as a segment, see it in the panel with
its count, open it from the unfiltered list and get the filtered list back."""

from __future__ import annotations

import random
import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in_console, wait_for_htmx


def test_owner_saves_filters_as_a_segment_and_opens_it(
    page: Page, live_server, make_customer
) -> None:
    """Save these filters names the search; the panel links to it with "2 customers"."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.merchants.models import Merchant

    family = f"Segmented{random.randint(100_000, 999_999)}"
    name = f"Family {random.randint(100_000, 999_999)}"
    with live_server.app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        for first in ("Ani", "Eko"):
            make_customer(merchant, first_name=first, last_name=family)
        make_customer(merchant, first_name="Outside", last_name="Other")

    sign_in_console(page)
    page.goto(f"/merchant/customers?keyword={family}&search_in=NAME")
    wait_for_htmx(page)
    page.get_by_label("Segment name").fill(name)
    page.get_by_role("button", name="Save these filters").click()
    expect(page.get_by_text(f"Segment “{name}” saved.")).to_be_visible()

    panel = page.locator("#segments-panel")
    entry = panel.locator("li.segment", has=page.get_by_role("link", name=name, exact=True))
    expect(entry).to_contain_text("2 customers")

    page.goto("/merchant/customers")
    page.locator("#segments-panel").get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"keyword={family}"))
    table = page.locator(".customer-table")
    expect(table).to_contain_text(f"Ani {family}")
    expect(table).to_contain_text(f"Eko {family}")
    expect(table).not_to_contain_text("Outside")
    expect(page.get_by_label("Search", exact=True)).to_have_value(family)
    expect(
        page.locator("#segments-panel").get_by_role("link", name=name, exact=True)
    ).to_have_attribute("aria-current", "true")

    # Typing another search swaps only the table; the panel's mark follows the filters.
    wait_for_htmx(page)
    link = page.locator("#segments-panel").get_by_role("link", name=name, exact=True)
    page.get_by_label("Search", exact=True).fill(f"{family}x")
    expect(page).to_have_url(re.compile(rf"keyword={family}x"))
    expect(link).not_to_have_attribute("aria-current", "true")
    page.get_by_label("Search", exact=True).fill(family)
    expect(page).to_have_url(re.compile(rf"keyword={family}(&|$)"))
    expect(link).to_have_attribute("aria-current", "true")
