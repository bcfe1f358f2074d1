"""set_storefront_access: document 003's privor-activation, with audit and event."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.errors import Conflict, ServiceError
from portal.core.models import AuditEntry, Event
from portal.core.time import utcnow
from portal.customers.models import RegistrationStatus
from portal.customers.storefront import set_storefront_access
from portal.extensions import db


def test_storefront_activation_audits_and_fires_event(app, make_merchant, make_customer):
    """Activating sets the flag and writes one audit entry and one event."""
    customer = make_customer(make_merchant())
    set_storefront_access(customer, active=True, actor="owner@test")
    assert customer.storefront_active is True
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.customer_id == customer.id))
    assert [a.action for a in audit] == ["storefront.activated"]
    event = db.session.scalar(select(Event).where(Event.customer_id == customer.id))
    assert event.type == "customer.storefront_changed" and event.kind == "activated"


def test_storefront_activation_updates_contact_fields(app, make_merchant, make_customer):
    """name, email and phone are updated through the same validation as edits."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    set_storefront_access(
        customer,
        active=True,
        actor="a",
        name="Budi Santoso",
        email="budi@example.com",
        phone="01711000111",
    )
    assert (customer.first_name, customer.last_name) == ("Budi", "Santoso")
    assert customer.email == "budi@example.com"
    assert customer.phone == "+8801711000111"


def test_storefront_activation_refuses_taken_phone_and_bad_email(app, make_merchant, make_customer):
    """A phone of another customer is a Conflict; a bad email names the field."""
    merchant = make_merchant()
    other = make_customer(merchant)
    customer = make_customer(merchant)
    with pytest.raises(Conflict):
        set_storefront_access(customer, active=True, actor="a", phone=other.phone)
    with pytest.raises(ServiceError) as err:
        set_storefront_access(customer, active=True, actor="a", email="not-an-email")
    assert err.value.field == "email"


def test_storefront_refused_for_blocked_or_deleted(app, make_merchant, make_customer):
    """A blocked customer cannot be activated; a deleted one cannot be changed."""
    merchant = make_merchant()
    blocked = make_customer(merchant, registration_status=RegistrationStatus.BLOCKED)
    deleted = make_customer(merchant, deleted_at=utcnow())
    with pytest.raises(ServiceError):
        set_storefront_access(blocked, active=True, actor="a")
    with pytest.raises(ServiceError):
        set_storefront_access(deleted, active=False, actor="a")


def test_storefront_deactivation_of_inactive_is_a_no_op(app, make_merchant, make_customer):
    """Turning off an account that is already off writes nothing."""
    customer = make_customer(make_merchant())
    set_storefront_access(customer, active=False, actor="a")
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.customer_id == customer.id)) is None
    )
