"""Helpers for the profile tests: a signed-in customer on the test client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[object], FlaskClient]:
    """sign_in(customer) -> the client, with that customer's session."""

    def do(customer: object) -> FlaskClient:
        with client.session_transaction() as s:
            s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"  # type: ignore[attr-defined]
            s["_fresh"] = True
        return client

    return do
