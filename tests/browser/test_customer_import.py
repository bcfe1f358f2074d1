"""A merchant imports a file with good and bad rows, watches the job finish, and downloads
the rejected rows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in_console


def test_import_good_and_bad_rows(page: Page, tmp_path: Path) -> None:
    """Preview counts the rows, Import runs the job to 100 %, the rejected CSV has `error`."""
    number = f"+88017{random.randint(10_000_000, 99_999_999)}"
    path = tmp_path / "customers.csv"
    path.write_text(
        f"name,phone,email,colour\nImported Person,{number},imp@example.com,red\n"
        "Broken Row,01733000003,not-an-email,\n",
        encoding="utf-8",
    )
    sign_in_console(page)
    page.get_by_role("link", name="Import customers").click()
    page.get_by_label("Customer file (CSV or XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#count-new")).to_have_text("1")
    expect(page.locator("#count-errors")).to_have_text("1")
    expect(page.get_by_text("Unknown columns, not imported: colour")).to_be_visible()
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "100")
    expect(page.locator("#count-created")).to_have_text("1")
    expect(page.locator("#count-rejected")).to_have_text("1")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download rejected rows").click()
    saved = tmp_path / "rejected.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-1] == "error" and rows[1][0] == "Broken Row"
