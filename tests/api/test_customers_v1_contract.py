"""Documents 001 and 004 replayed: their example requests against /v1/customers."""

from __future__ import annotations

import json

import pytest

from tests.api.helpers import auth


def test_document_001_create_example_sends_code(client, make_merchant, make_token, outbox):
    """The curl body (unconfirmed_phone_number, country_code) creates an unconfirmed customer.
    The example texts a Canadian number, so the shop lists Canada among its countries."""
    merchant = make_merchant(country_code="US", sms_countries="US,CA")
    body = {"unconfirmed_phone_number": "418-581-0827", "country_code": "CA"}
    response = client.post("/v1/customers", json=body, headers=auth(make_token(merchant)))
    assert response.status_code == 201
    assert response.json["unconfirmed_phone_number"] == "+14185810827"
    assert response.json["phone_number"] is None
    assert response.json["country_code"] == "CA"
    assert response.json["confirmation_token"] is None
    assert response.json["confirmation_sent_at"] is not None
    assert outbox.last_code("+14185810827")


def test_document_001_confirm_promotes_phone(client, make_merchant, make_token, outbox):
    """confirm with the code sent promotes the number; a second confirm is 422."""
    merchant = make_merchant(country_code="US")
    token = make_token(merchant)
    created = client.post(
        "/v1/customers",
        json={"unconfirmed_phone_number": "+12025550150", "country_code": "US"},
        headers=auth(token),
    )
    url = f"/v1/customers/{created.json['customer_id']}/confirm"
    code = outbox.last_code("+12025550150")
    response = client.post(url, json={"confirmation_token": code}, headers=auth(token))
    assert response.status_code == 200
    assert response.json["phone_number"] == "+12025550150"
    assert response.json["confirmed_at"] is not None
    again = client.post(url, json={"confirmation_token": code}, headers=auth(token))
    assert again.status_code == 422
    assert again.json["message"] == "This customer is already confirmed"


def test_document_001_confirm_wrong_token_is_422(client, make_merchant, make_token, outbox):
    """A wrong confirmation_token is refused with 422 and the phone stays unconfirmed."""
    merchant = make_merchant(country_code="US")
    token = make_token(merchant)
    created = client.post(
        "/v1/customers", json={"unconfirmed_phone_number": "+12025550151"}, headers=auth(token)
    )
    code = outbox.last_code("+12025550151")
    wrong = "000000" if code != "000000" else "111111"
    url = f"/v1/customers/{created.json['id']}/confirm"
    response = client.post(url, json={"confirmation_token": wrong}, headers=auth(token))
    assert response.status_code == 422
    assert response.json["field"] == "confirmation_token"
    read = client.get(f"/v1/customers/{created.json['id']}", headers=auth(token))
    assert read.json["phone_number"] is None


def test_document_001_generate_confirmation(
    client, make_merchant, make_customer, make_token, outbox
):
    """generate_confirmation answers 201 with an empty body and sends a new code."""
    merchant = make_merchant()
    token = make_token(merchant)
    waiting = make_customer(merchant, confirmed=False)
    url = f"/v1/customers/{waiting.public_id}/generate_confirmation"
    response = client.post(url, headers=auth(token) | {"Content-Type": "application/json"})
    assert response.status_code == 201
    assert response.data == b""
    assert outbox.last_code(waiting.unconfirmed_phone)
    confirmed = make_customer(merchant)
    refused = client.post(
        f"/v1/customers/{confirmed.id}/generate_confirmation", headers=auth(token)
    )
    assert refused.status_code == 422


def test_document_001_retrieve_has_fresh_edit_links(
    client, make_merchant, make_customer, make_token
):
    """Retrieve answers absolute, short-lived links for billing, shipping and card."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    response = client.get(f"/v1/customers/{customer.public_id}", headers=auth(make_token(merchant)))
    for field in ("billing_address_url", "shipping_address_url", "card_url"):
        assert response.json[field].startswith("http://localhost/l/")
    again = client.get(f"/v1/customers/{customer.public_id}", headers=auth(make_token(merchant)))
    assert again.json["card_url"] != response.json["card_url"]


def test_document_001_update_with_put_example(client, make_merchant, make_customer, make_token):
    """The curl PUT with only an email updates it (PATCH behaves the same)."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    response = client.put(
        f"/v1/customers/{customer.public_id}",
        data=json.dumps({"email": "yogi@berra.com"}),
        headers=auth(make_token(merchant)) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json["email"] == "yogi@berra.com"


def test_document_004_put_example_changes_name_and_codes(
    client, make_merchant, make_customer, make_token
):
    """The Python example's PUT (name, external ids) answers 200 with modified_at set."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="test", last_name=None)
    headers = {"Content-Type": "application/json"} | auth(make_token(merchant), "token")
    data = json.dumps(
        {"name": "changed", "external_customer_id": 2, "external_customer_code": "changed"}
    )
    response = client.put(f"/v1/customers/{customer.id}", data=data, headers=headers)
    assert response.status_code == 200
    assert response.json["customer_id"] == customer.public_id
    assert response.json["name"] == "changed"
    assert response.json["external_customer_id"] == 2
    assert response.json["external_customer_code"] == "changed"
    assert response.json["modified_at"] is not None


def test_document_004_delete_example_is_empty_204(client, make_merchant, make_customer, make_token):
    """DELETE with the Python example's headers answers 204 and an empty body."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    headers = {"Content-Type": "application/json"} | auth(make_token(merchant), "token")
    response = client.delete(f"/v1/customers/{customer.id}", headers=headers)
    assert response.status_code == 204
    assert response.data == b""


def test_document_004_post_to_one_customer_not_allowed(
    client, make_merchant, make_customer, make_token
):
    """ "POST requests are not allowed at this endpoint": 405 as JSON."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    response = client.post(
        f"/v1/customers/{customer.id}", json={}, headers=auth(make_token(merchant))
    )
    assert response.status_code == 405
    assert response.json["status_code"] == 405


def test_document_004_q_filters_and_orders(client, make_merchant, make_customer, make_token):
    """q filters by a field with an operator and orders the objects."""
    merchant = make_merchant()
    make_customer(
        merchant, first_name="Alpha", last_name=None, full_name="Alpha", external_customer_code="A"
    )
    make_customer(
        merchant, first_name="Beta", last_name=None, full_name="Beta", external_customer_code="B"
    )
    make_customer(
        merchant, first_name="Gamma", last_name=None, full_name="Gamma", external_customer_code="C"
    )
    token = make_token(merchant, "OVERVIEW")
    q = {
        "filters": [{"name": "external_customer_code", "op": "in", "val": ["A", "C"]}],
        "order_by": [{"field": "name", "direction": "desc"}],
    }
    response = client.get(
        "/v1/customers", query_string={"q": json.dumps(q)}, headers=auth(token, "token")
    )
    assert response.status_code == 200
    assert [o["name"] for o in response.json["objects"]] == ["Gamma", "Alpha"]
    assert response.json["num_results"] == 2


@pytest.mark.parametrize(
    "q",
    [
        "{nope",
        '{"filters": [{"name": "password", "op": "eq", "val": 1}]}',
        '{"filters": [{"name": "name", "op": "regex", "val": "x"}]}',
        '{"filters": [{"name": "created_at", "op": "gt", "val": "yesterday"}]}',
        '{"order_by": [{"field": "name", "direction": "up"}]}',
        '{"limit": 3}',
    ],
)
def test_document_004_q_refuses_bad_queries(client, make_merchant, make_token, q):
    """A malformed q, unknown field, operator, date or direction is 400 naming q."""
    token = make_token(make_merchant(), "OVERVIEW")
    response = client.get("/v1/customers", query_string={"q": q}, headers=auth(token))
    assert response.status_code == 400
    assert response.json["field"] == "q"


def test_confirm_and_generate_are_tenant_isolated(client, make_merchant, make_customer, make_token):
    """Another merchant's customer answers 404 on confirm and generate_confirmation."""
    token = make_token(make_merchant())
    other = make_customer(make_merchant(), confirmed=False)
    for suffix, body in (("confirm", {"confirmation_token": "1"}), ("generate_confirmation", {})):
        response = client.post(f"/v1/customers/{other.id}/{suffix}", json=body, headers=auth(token))
        assert response.status_code == 404


@pytest.mark.options(otp_in_responses=True)
def test_confirmation_token_echoed_only_in_test_mode(client, make_merchant, make_token, outbox):
    """With TESTING and OTP_IN_RESPONSES the created customer shows the code sent."""
    merchant = make_merchant(country_code="US")
    body = {"unconfirmed_phone_number": "+12025550178"}
    response = client.post("/v1/customers", json=body, headers=auth(make_token(merchant)))
    assert response.json["confirmation_token"] == outbox.last_code("+12025550178")
