"""Activation actions from the customer page: confirmation step, transitions, audit, flash."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.models import AuditEntry, Event
from portal.customers.models import Customer, RegistrationStatus
from portal.extensions import db
from tests.merchants.page_helpers import sign_in

R = RegistrationStatus


def test_block_shows_confirmation_before_acting(
    app, client, make_merchant, make_staff, make_customer
):
    """GET of an action is only the confirmation page; nothing changes yet."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Budi", last_name=None)
    sign_in(client, make_staff(merchant))
    page = client.get(f"/merchant/customers/{customer.id}/actions/block")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Block Budi?" in html and "Yes, block" in html
    db.session.refresh(customer)
    assert customer.registration_status == R.REGISTERED


def test_block_after_confirmation_flashes_audits_and_fires_event(
    app, client, make_merchant, make_staff, make_customer
):
    """POST blocks, flashes "Budi has been blocked", writes audit and event."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Budi", last_name=None)
    sign_in(client, make_staff(merchant, email="boss@shop.test"))
    response = client.post(
        f"/merchant/customers/{customer.id}/actions/block", follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Budi has been blocked" in html
    db.session.refresh(customer)
    assert customer.registration_status == R.BLOCKED
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.customer_id == customer.id))
    assert (audit.action, audit.actor) == ("status.block", "boss@shop.test")
    event = db.session.scalar(select(Event).where(Event.customer_id == customer.id))
    assert (event.type, event.kind) == ("customer.status_changed", "block")


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        (R.REQUESTED, "accept", R.REGISTERED),
        (R.REQUESTED, "refuse", R.UNREGISTERED),
        (R.UNREGISTERED, "activate", R.REGISTERED),
        (R.INACTIVE, "activate", R.REGISTERED),
        (R.BLOCKED, "unblock", R.REGISTERED),
        (R.REGISTERED, "block", R.BLOCKED),
    ],
)
def test_each_action_moves_status(
    app, client, make_merchant, make_staff, make_customer, status, action, after
):
    """Every document 003 action applies from the statuses it fits, audited, with an event."""
    merchant = make_merchant()
    customer = make_customer(merchant, registration_status=status)
    sign_in(client, make_staff(merchant))
    response = client.post(f"/merchant/customers/{customer.id}/actions/{action}")
    assert response.status_code == 303
    db.session.refresh(customer)
    assert customer.registration_status == after
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.customer_id == customer.id)
    ).all()
    assert f"status.{action}" in actions
    kinds = db.session.scalars(select(Event.kind).where(Event.customer_id == customer.id)).all()
    assert action in kinds


def test_accept_can_set_category(app, client, make_merchant, make_staff, make_customer):
    """Accepting a request can put the customer in a category at the same time."""
    merchant = make_merchant()
    customer = make_customer(merchant, registration_status=R.REQUESTED)
    sign_in(client, make_staff(merchant))
    form = client.get(f"/merchant/customers/{customer.id}/actions/accept")
    assert 'name="category"' in form.get_data(as_text=True)
    client.post(f"/merchant/customers/{customer.id}/actions/accept", data={"category": "D"})
    db.session.refresh(customer)
    assert (customer.registration_status, customer.category_code) == (R.REGISTERED, "D")


@pytest.mark.parametrize(
    ("status", "action"),
    [(R.REGISTERED, "unblock"), (R.BLOCKED, "block"), (R.REGISTERED, "accept")],
)
def test_action_that_does_not_fit_is_refused(
    app, client, make_merchant, make_staff, make_customer, status, action
):
    """A transition that makes no sense is not offered and not applied."""
    merchant = make_merchant()
    customer = make_customer(merchant, registration_status=status)
    sign_in(client, make_staff(merchant))
    response = client.post(
        f"/merchant/customers/{customer.id}/actions/{action}", follow_redirects=True
    )
    verb = {"unblock": "unblocked", "block": "blocked", "accept": "accepted"}[action]
    assert f"This customer cannot be {verb} while their status is" in response.get_data(
        as_text=True
    )
    db.session.refresh(customer)
    assert customer.registration_status == status


def test_unknown_action_is_not_found(app, client, make_merchant, make_staff, make_customer):
    """/actions/<nonsense> answers 404."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    assert client.get(f"/merchant/customers/{customer.id}/actions/explode").status_code == 404


def test_delete_hides_and_owner_restores(app, client, make_merchant, make_staff, make_customer):
    """Delete is a soft delete kept for audit; an owner restores it."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Budi", last_name=None)
    sign_in(client, make_staff(merchant))
    response = client.post(f"/merchant/customers/{customer.id}/actions/delete")
    assert response.status_code == 303
    db.session.refresh(customer)
    assert customer.deleted_at is not None
    assert db.session.get(Customer, customer.id) is not None
    restored = client.post(f"/merchant/customers/{customer.id}/restore", follow_redirects=True)
    assert "Budi has been restored" in restored.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.deleted_at is None


def test_restore_is_owner_only(app, client, make_merchant, make_staff, make_customer):
    """SYSTEM staff can delete but not restore (403)."""
    from portal.core.time import utcnow

    merchant = make_merchant()
    customer = make_customer(merchant, deleted_at=utcnow())
    sign_in(client, make_staff(merchant, role="staff", permission="SYSTEM"))
    assert client.post(f"/merchant/customers/{customer.id}/restore").status_code == 403


def test_htmx_action_answers_hx_redirect(app, client, make_merchant, make_staff, make_customer):
    """With htmx the POST answers HX-Redirect to the customer page."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    response = client.post(
        f"/merchant/customers/{customer.id}/actions/block", headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Redirect"].endswith(f"/merchant/customers/{customer.id}")


def test_storefront_activation_from_customer_page(
    app, client, make_merchant, make_staff, make_customer
):
    """The storefront form turns the account on (with the email) and off again."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Budi", last_name=None)
    sign_in(client, make_staff(merchant))
    url = f"/merchant/customers/{customer.id}/storefront"
    on = client.post(url, data={"active": "1", "email": "budi@example.com"}, follow_redirects=True)
    assert "Storefront account of Budi is active" in on.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.storefront_active and customer.email == "budi@example.com"
    client.post(url, data={"active": "0"})
    db.session.refresh(customer)
    assert customer.storefront_active is False


def test_storefront_bad_email_is_flashed(app, client, make_merchant, make_staff, make_customer):
    """A bad email is explained, the account stays off."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    sign_in(client, make_staff(merchant))
    response = client.post(
        f"/merchant/customers/{customer.id}/storefront",
        data={"active": "1", "email": "nope"},
        follow_redirects=True,
    )
    assert "Enter a valid email address." in response.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.storefront_active is False
