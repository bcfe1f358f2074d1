"""Signing a customer out everywhere."""

from __future__ import annotations

from sqlalchemy import update

from portal.customers.models import Customer
from portal.customers.signup import sign_out_everywhere
from portal.extensions import db


def test_sign_out_everywhere_bumps_session_version_despite_concurrent_save(
    make_merchant, make_customer
):
    """A profile saved elsewhere meanwhile (version moved on) does not make sign-out fail."""
    customer = make_customer(make_merchant())
    before = customer.session_version
    # Someone else saves the profile: the row's optimistic `version` moves on.
    db.session.execute(
        update(Customer)
        .where(Customer.id == customer.id)
        .values(version=Customer.version + 1, first_name="Changed")
        .execution_options(synchronize_session=False)
    )
    sign_out_everywhere(customer)
    db.session.commit()
    db.session.refresh(customer)
    assert customer.session_version == before + 1
    assert customer.first_name == "Changed"
