"""Fixtures for the assist tests: a merchant, its assistant, and signing staff in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from portal.staff.models import Role


@pytest.fixture
def shop(make_merchant: Callable[..., Any]) -> Any:
    """A Bangladeshi merchant."""
    return make_merchant(country_code="BD")


@pytest.fixture
def assistant(shop: Any, make_staff: Callable[..., Any]) -> Any:
    """A retailer assistant of `shop`, bound to a new partner (outlet)."""
    return make_staff(shop, role=Role.ASSISTANT)


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[Any], FlaskClient]:
    """sign_in(staff_user) -> the client, signed in as that staff user."""

    def do(user: Any) -> FlaskClient:
        with client.session_transaction() as session:
            session["_user_id"] = f"staff:{user.id}:{user.session_version}"
            session["_fresh"] = True
        return client

    return do


@pytest.fixture
def shopper_data() -> Callable[..., dict[str, Any]]:
    """shopper_data(**changes) -> a valid register form for a fresh phone number."""
    from tests.support.factories import unique_phone

    def make(**changes: Any) -> dict[str, Any]:
        data = {
            "first_name": "Rina",
            "last_name": "Akter",
            "phone": unique_phone("BD"),
            "gender": "female",
            "age": "34",
        }
        return data | changes

    return make
