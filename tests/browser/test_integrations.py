"""Integrations journey in Chromium: create a token, use it on the API, revoke it."""

from __future__ import annotations

import random

import requests
from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in_console
from tests.support.live import LiveServer


def test_owner_creates_uses_and_revokes_token(page: Page, live_server: LiveServer) -> None:
    """The token is shown once, works with the API, and after revoking answers 401."""
    sign_in_console(page)

    name = f"Browser sync {random.randint(10_000, 99_999)}"
    page.get_by_role("link", name="Integrations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Integrations")
    page.get_by_label("Name (what uses this token)").fill(name)
    page.get_by_label("Permission").select_option("OVERVIEW")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new API token")
    plain = page.get_by_label("Value").input_value()
    assert plain.startswith("cp_")

    api = requests.get(
        f"{live_server.url}/v1/customers",
        headers={"Authorization": f"Token token={plain}"},
        timeout=10,
    )
    assert api.status_code == 200
    assert "objects" in api.json()

    page.get_by_role("link", name="Done").click()
    row = page.locator("tr", has_text=name)
    expect(row).to_contain_text(plain[:9])
    expect(row).not_to_contain_text("Never")
    row.get_by_role("link", name="Revoke").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke the token")
    page.get_by_role("button", name="Yes, revoke").click()
    expect(page.get_by_text("The token was revoked.")).to_be_visible()
    expect(page.locator("tr", has_text=name)).to_contain_text("Revoked")

    after = requests.get(
        f"{live_server.url}/v1/customers", headers={"Authorization": f"Bearer {plain}"}, timeout=10
    )
    assert after.status_code == 401
