"""GET /api/open/customer/data and POST /api/open/customer/erase (document 003 style)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.customers.models import Customer, Order
from portal.customers.personal_data import ERASED_NAME
from portal.extensions import db
from tests.api.helpers import auth
from tests.merchants.page_helpers import make_order

DATA = "/api/open/customer/data"
ERASE = "/api/open/customer/erase"


@pytest.fixture
def shop(make_merchant, make_token):
    merchant = make_merchant(country_code="ID")
    return merchant, make_token(merchant), make_token(merchant, "OVERVIEW")


@pytest.fixture
def customer(shop, make_customer):
    found = make_customer(shop[0], first_name="Siti", last_name="Rahma", email="siti@example.id")
    make_order(found, datetime(2026, 11, 2, tzinfo=UTC), total_price=99000)
    db.session.commit()
    return found


def test_system_token_gets_the_export(client, shop, customer):
    response = client.get(DATA, query_string={"id": customer.id}, headers=auth(shop[1]))
    assert response.status_code == 200
    body = response.json
    assert body["profile"]["name"] == "Siti Rahma" and body["profile"]["email"] == "siti@example.id"
    assert [o["total_price"] for o in body["orders"]] == [99000]
    assert "customer.data_exported" in [
        e["action"]
        for e in client.get(DATA, query_string={"id": customer.id}, headers=auth(shop[1])).json[
            "audit"
        ]
    ]


def test_overview_token_is_refused(client, shop, customer):
    response = client.get(DATA, query_string={"id": customer.id}, headers=auth(shop[2]))
    assert response.status_code == 403
    assert client.post(ERASE, json={"id": customer.id}, headers=auth(shop[2])).status_code == 403


@pytest.mark.parametrize("which", ["unknown", "other"])
def test_unknown_or_other_merchants_customer_is_404_json(
    client, shop, make_merchant, make_customer, which
):
    ident = 987654321 if which == "unknown" else make_customer(make_merchant()).id
    response = client.get(DATA, query_string={"id": ident}, headers=auth(shop[1]))
    assert response.status_code == 404 and response.is_json
    response = client.post(ERASE, json={"id": ident}, headers=auth(shop[1]))
    assert response.status_code == 404 and response.is_json


def test_missing_id_is_refused_by_name(client, shop):
    response = client.get(DATA, headers=auth(shop[1]))
    assert response.status_code == 422 and response.is_json
    assert "id" in response.get_data(as_text=True)


def test_erase_through_the_api_keeps_orders(client, shop, customer):
    response = client.post(ERASE, json={"id": customer.id}, headers=auth(shop[1]))
    assert response.status_code == 200
    assert response.json == {"response": "Success", "data": {"customer_id": customer.id}}
    db.session.expire_all()
    found = db.session.get(Customer, customer.id)
    assert found.full_name == ERASED_NAME and found.phone is None and found.email is None
    assert db.session.query(Order).filter_by(customer_id=customer.id).one().total_price == 99000
    after = client.get(DATA, query_string={"id": customer.id}, headers=auth(shop[1])).json
    assert after["profile"]["name"] == ERASED_NAME and after["profile"]["email"] is None
