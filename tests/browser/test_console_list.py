"""The merchant's customer list in Chromium: sign in, live phone search, filtered Excel."""

from __future__ import annotations

import re

import openpyxl
from playwright.sync_api import Page, expect

from portal.customers.search import iter_customers, parse_filters
from portal.merchants.models import Merchant
from tests.browser.helpers import wait_for_htmx
from tests.support.live import LiveServer


def test_owner_searches_by_phone_and_downloads_filtered_excel(
    page: Page, live_server: LiveServer, tmp_path
) -> None:
    """The demo owner signs in, finds a customer by local phone form, and the Excel file
    downloaded from that view holds exactly the filtered rows."""
    page.goto("/login")
    page.get_by_label("Email").fill("owner@demo.test")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/merchant/customers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    wait_for_htmx(page)

    page.get_by_label("Search in").select_option("PHONE")
    page.get_by_label("Search", exact=True).fill("0171100012")
    # htmx updates the table as you type and the URL follows the filters.
    expect(page).to_have_url(re.compile(r"keyword=0171100012.*search_in=PHONE"))
    rows = page.locator("#customer-results tbody tr")
    with live_server.app.app_context():
        merchant = Merchant.query.filter_by(slug="demo").one()
        filters = parse_filters({"keyword": "0171100012", "search_in": "PHONE"})
        expected = [c.full_name for c in iter_customers(merchant.id, filters)]
    assert 1 <= len(expected) <= 10
    expect(rows).to_have_count(len(expected))
    expect(rows.first).to_contain_text("01711-00012")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download Excel").click()
    path = tmp_path / "customers.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == expected

    # The filtered view survives a reload (bookmarkable) and the back button.
    page.reload()
    expect(page.get_by_label("Search", exact=True)).to_have_value("0171100012")
    expect(rows).to_have_count(len(expected))
