"""Who may do what on the customer, category and report pages.

OVERVIEW staff read but every write button is hidden and every write URL answers 403;
assistants get 403 on every console URL; anonymous visitors are sent to /login.
"""

from __future__ import annotations

import pytest

from portal.core.time import utcnow
from portal.customers.models import RegistrationStatus
from portal.extensions import db
from portal.merchants.categories import create_category
from tests.merchants.page_helpers import sign_in


@pytest.fixture
def world(app, make_merchant, make_customer):
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Budi", last_name=None)
    deleted = make_customer(merchant, deleted_at=utcnow())
    create_category(merchant.id, name="Gold", actor="t")
    return {"merchant": merchant, "customer": customer, "deleted": deleted}


def write_requests(world) -> list[tuple[str, str]]:
    c = world["customer"].id
    return [
        ("GET", "/merchant/customers/new"),
        ("POST", "/merchant/customers/new"),
        ("GET", f"/merchant/customers/{c}/edit"),
        ("POST", f"/merchant/customers/{c}/edit"),
        ("GET", f"/merchant/customers/{c}/actions/block"),
        ("POST", f"/merchant/customers/{c}/actions/block"),
        ("POST", "/merchant/customers/bulk"),
        ("POST", f"/merchant/customers/{c}/storefront"),
        ("POST", f"/merchant/customers/{c}/links"),
        ("POST", f"/merchant/customers/{c}/links/1/revoke"),
        ("POST", f"/merchant/customers/{world['deleted'].id}/restore"),
        ("POST", "/merchant/categories"),
        ("POST", "/merchant/categories/GOLD/rename"),
        ("GET", "/merchant/categories/GOLD/delete"),
        ("POST", "/merchant/categories/GOLD/delete"),
    ]


def read_urls(world) -> list[str]:
    return [
        f"/merchant/customers/{world['customer'].id}",
        "/merchant/categories",
        "/merchant/reports",
    ]


def test_overview_staff_reads_pages(app, client, make_staff, world):
    """OVERVIEW staff can open the customer, categories and reports pages."""
    sign_in(client, make_staff(world["merchant"], role="staff", permission="OVERVIEW"))
    for url in read_urls(world):
        assert client.get(url).status_code == 200, url


def test_overview_staff_sees_no_write_buttons(app, client, make_staff, world):
    """No edit, action, storefront, link, rename or create controls for OVERVIEW."""
    sign_in(client, make_staff(world["merchant"], role="staff", permission="OVERVIEW"))
    customer = client.get(f"/merchant/customers/{world['customer'].id}").get_data(as_text=True)
    for marker in ("/edit", "/actions/", "/storefront", "/links", "/restore", "Send by SMS"):
        assert marker not in customer, marker
    categories = client.get("/merchant/categories").get_data(as_text=True)
    assert "/rename" not in categories and "Add category" not in categories


def test_overview_staff_refused_on_every_write(app, client, make_staff, world):
    """Every write URL answers 403 to OVERVIEW staff, even a crafted request."""
    sign_in(client, make_staff(world["merchant"], role="staff", permission="OVERVIEW"))
    for method, url in write_requests(world):
        response = client.open(
            url,
            method=method,
            data={"customer_ids": [world["customer"].id], "action": "block", "name": "X"},
        )
        assert response.status_code == 403, (method, url)
    db.session.refresh(world["customer"])
    assert world["customer"].registration_status == RegistrationStatus.REGISTERED


def test_system_staff_may_write_but_not_restore(app, client, make_staff, world):
    """SYSTEM staff get the write pages; restore stays owner-only."""
    sign_in(client, make_staff(world["merchant"], role="staff", permission="SYSTEM"))
    assert client.get("/merchant/customers/new").status_code == 200
    c = world["customer"].id
    assert client.get(f"/merchant/customers/{c}/actions/block").status_code == 200
    restore = client.post(f"/merchant/customers/{world['deleted'].id}/restore")
    assert restore.status_code == 403


def test_assistant_refused_on_every_console_url(app, client, make_staff, world):
    """Retailer assistants get 403 on every read and write URL of these pages."""
    sign_in(client, make_staff(world["merchant"], role="assistant"))
    for url in read_urls(world):
        assert client.get(url).status_code == 403, url
    for method, url in write_requests(world):
        assert client.open(url, method=method).status_code == 403, (method, url)


def test_anonymous_is_sent_to_login(app, client, world):
    """Without a session every page redirects to /login with next."""
    for url in read_urls(world):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
