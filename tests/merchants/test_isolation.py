"""Tenant isolation: every console URL with another merchant's customer id answers 404."""

from __future__ import annotations

import pytest

from portal.customers.models import RegistrationStatus
from portal.customers.notes import add_note, customer_notes
from portal.customers.tags import add_tag, customer_tags
from portal.extensions import db
from tests.merchants.page_helpers import sign_in

SAMPLE_VALUES = {
    "action": "block",
    "code": "N",
    "link_id": 1,
    "other_id": 1,
    "merge_id": 1,
    "channel": "sms",
}


def customer_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every merchant-console route that takes a customer id."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("merchants.") or "customer_id" not in rule.arguments:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return found


def test_console_has_customer_routes_to_check(app):
    """The sweep below really covers the customer page, edit, actions, storefront..."""
    endpoints = {endpoint for endpoint, _, _ in customer_routes(app)}
    assert {
        "merchants.customer",
        "merchants.edit_customer",
        "merchants.customer_action",
        "merchants.storefront",
        "merchants.restore",
        "merchants.issue_edit_link",
        "merchants.add_customer_tag",
        "merchants.remove_customer_tag",
        "merchants.add_customer_note",
        "merchants.edit_customer_note",
        "merchants.delete_customer_note",
        "merchants.merge_customer",
        "merchants.undo_customer_merge",
        "merchants.record_customer_consent",
    } <= endpoints


@pytest.mark.parametrize("role", ["owner", "overview"])
def test_every_customer_url_of_another_merchant_is_not_found(
    app, client, make_merchant, make_staff, make_customer, role
):
    """An owner (or OVERVIEW reader) of merchant A gets 404 for B's customer on every URL."""
    mine = make_merchant()
    theirs = make_merchant()
    victim = make_customer(theirs, first_name="Victim")
    # The victim's own tag and note: their real ids must not open them either.
    tag = add_tag(victim, "Victim tag", actor="tests")
    note = add_note(victim, "Victim note", author_id=make_staff(theirs).id, actor="tests")
    assert tag is not None
    values = SAMPLE_VALUES | {"tag_id": tag.id, "note_id": note.id}
    if role == "owner":
        user = make_staff(mine)
    else:
        user = make_staff(mine, role="staff", permission="OVERVIEW")
    sign_in(client, user)
    with app.test_request_context():
        from flask import url_for

        urls = [
            (method, url_for(endpoint, customer_id=victim.id, **values))
            for endpoint, method, _ in customer_routes(app)
        ]
    for method, url in urls:
        data = {"purpose": "billing", "active": "1", "tag": "x", "body": "x"}
        response = client.open(url, method=method, data=data)
        expected = {404} if role == "owner" else {403, 404}
        assert response.status_code in expected, (method, url, response.status_code)
        assert "Victim" not in response.get_data(as_text=True)
    db.session.refresh(victim)
    assert victim.registration_status == RegistrationStatus.REGISTERED
    assert victim.storefront_active is False
    assert [t.name for t in customer_tags(victim)] == ["Victim tag"]
    assert [n.body for n in customer_notes(victim)] == ["Victim note"]


def test_order_history_of_another_merchant_is_not_found(
    app, client, make_merchant, make_staff, make_customer
):
    """Order paging of another merchant's customer (htmx partial too) is 404."""
    victim = make_customer(make_merchant())
    sign_in(client, make_staff(make_merchant()))
    url = f"/merchant/customers/{victim.id}?page=2"
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_bulk_with_only_another_merchants_ids_is_not_found(
    app, client, make_merchant, make_staff, make_customer
):
    """Bulk actions never reach another merchant's customers."""
    victim = make_customer(make_merchant())
    sign_in(client, make_staff(make_merchant()))
    response = client.post(
        "/merchant/customers/bulk",
        data={"customer_ids": [victim.id], "action": "delete", "confirm": "1"},
    )
    assert response.status_code == 404
    db.session.refresh(victim)
    assert victim.deleted_at is None
