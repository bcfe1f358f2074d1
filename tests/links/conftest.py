"""Fixtures for edit-link tests: a customer, the seeded-like districts, a link issuer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from portal.core.models import Region
from portal.extensions import db
from portal.links.services import IssuedLink, issue_link


@pytest.fixture
def district(app) -> Region:
    """A Dhaka district whose postal codes start with 12."""
    region = Region(
        province="Dhaka Division",
        city="Dhaka",
        district="Test Gulshan",
        country_code="BD",
        postal_prefix="12",
    )
    db.session.add(region)
    db.session.commit()
    return region


@pytest.fixture
def customer(app, make_merchant, make_customer):
    return make_customer(make_merchant(), first_name="Rina")


@pytest.fixture
def issue(app, customer) -> Callable[[str], IssuedLink]:
    """issue(purpose) -> a committed IssuedLink for `customer`."""

    def do(purpose: str) -> IssuedLink:
        issued = issue_link(customer, purpose, actor="staff:1")
        db.session.commit()
        return issued

    return do
