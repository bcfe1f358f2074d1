"""Bulk actions on selected rows: confirmation listing them, then apply; other tenants ignored."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.core.models import AuditEntry
from portal.customers.models import RegistrationStatus
from portal.extensions import db
from portal.merchants.bulk import apply_bulk_action, parse_ids
from tests.merchants.page_helpers import sign_in

R = RegistrationStatus


def test_bulk_first_post_lists_selected_for_confirmation(
    app, client, make_merchant, make_staff, make_customer
):
    """The first POST only shows who will be affected; nothing changes."""
    merchant = make_merchant()
    a = make_customer(merchant, first_name="Ani", last_name=None)
    b = make_customer(merchant, first_name="Budi", last_name=None)
    sign_in(client, make_staff(merchant))
    response = client.post(
        "/merchant/customers/bulk", data={"customer_ids": [a.id, b.id], "action": "block"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ani" in html and "Budi" in html and 'name="confirm" value="1"' in html
    db.session.refresh(a)
    assert a.registration_status == R.REGISTERED
    assert "Block 2 selected customers?" in html and "Yes, block" in html


def test_bulk_confirmation_one_and_none(app, client, make_merchant, make_staff, make_customer):
    """One fitting customer reads in the singular; none fitting offers nothing to confirm."""
    merchant = make_merchant()
    one = make_customer(merchant)
    blocked = make_customer(merchant, registration_status=R.BLOCKED)
    sign_in(client, make_staff(merchant))
    single = client.post(
        "/merchant/customers/bulk", data={"customer_ids": [one.id], "action": "block"}
    ).get_data(as_text=True)
    assert "Block 1 selected customer?" in single
    none = client.post(
        "/merchant/customers/bulk", data={"customer_ids": [blocked.id], "action": "block"}
    ).get_data(as_text=True)
    assert "Nothing to change" in none and "Yes, block" not in none
    assert "Block 0" not in none


def test_bulk_confirmed_applies_and_skips_unfit(
    app, client, make_merchant, make_staff, make_customer
):
    """Confirmed: fitting customers are blocked (each audited), the blocked one skipped."""
    merchant = make_merchant()
    a = make_customer(merchant)
    b = make_customer(merchant)
    already = make_customer(merchant, registration_status=R.BLOCKED)
    sign_in(client, make_staff(merchant))
    response = client.post(
        "/merchant/customers/bulk",
        data={
            "customer_ids": [a.id, b.id, already.id],
            "action": "block",
            "confirm": "1",
            "next": "/merchant/customers?status=1",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/merchant/customers?status=1")
    for customer in (a, b):
        db.session.refresh(customer)
        assert customer.registration_status == R.BLOCKED
    count = db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "status.block", AuditEntry.merchant_id == merchant.id
        )
    )
    assert count == 2


def test_bulk_ignores_other_merchants_ids(app, client, make_merchant, make_staff, make_customer):
    """Ids of another merchant are ignored; only foreign ids answer 404."""
    merchant = make_merchant()
    mine = make_customer(merchant)
    theirs = make_customer(make_merchant())
    sign_in(client, make_staff(merchant))
    client.post(
        "/merchant/customers/bulk",
        data={"customer_ids": [mine.id, theirs.id], "action": "block", "confirm": "1"},
    )
    db.session.refresh(theirs)
    db.session.refresh(mine)
    assert theirs.registration_status == R.REGISTERED
    assert mine.registration_status == R.BLOCKED
    only_theirs = client.post(
        "/merchant/customers/bulk",
        data={"customer_ids": [theirs.id], "action": "block", "confirm": "1"},
    )
    assert only_theirs.status_code == 404


def test_bulk_without_selection_or_action_explains(
    app, client, make_merchant, make_staff, make_customer
):
    """No rows selected, or an unknown action: a message, no change, never a 500."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    empty = client.post("/merchant/customers/bulk", data={"action": "block"})
    assert empty.status_code == 303
    bad = client.post(
        "/merchant/customers/bulk", data={"customer_ids": [customer.id], "action": "explode"}
    )
    assert bad.status_code == 303


def test_bulk_next_outside_portal_is_ignored(app, client, make_merchant, make_staff, make_customer):
    """`next` pointing to another host falls back to the list."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    response = client.post(
        "/merchant/customers/bulk",
        data={
            "customer_ids": [customer.id],
            "action": "block",
            "confirm": "1",
            "next": "https://evil.example/",
        },
    )
    assert "evil.example" not in response.headers["Location"]


def test_apply_bulk_action_service(app, make_merchant, make_customer):
    """The service applies to fitting customers and reports the skipped ones."""
    merchant = make_merchant()
    requested = make_customer(merchant, registration_status=R.REQUESTED)
    registered = make_customer(merchant)
    result = apply_bulk_action(merchant.id, [requested.id, registered.id], "accept", actor="a")
    assert [c.id for c in result.done] == [requested.id]
    assert [c.id for c in result.skipped] == [registered.id]
    assert requested.registration_status == R.REGISTERED


def test_parse_ids_drops_junk_and_duplicates():
    """Only distinct positive integers survive."""
    assert parse_ids(["3", "x", "3", "-1", "0", " 7 ", "99999999999"]) == [3, 7]
