"""/v1/customers (documents 001 and 004): tokens, permissions, tenant isolation, bad input."""

from __future__ import annotations

import pytest


def auth(token: str, form: str = "bearer") -> dict[str, str]:
    if form == "token":
        return {"Authorization": f"Token token={token}"}
    return {"Authorization": f"Bearer {token}"}


def test_read_customer_with_document_004_header_form(
    client, make_merchant, make_customer, make_token
):
    """Document 004's `Token token=` header reads a customer by id and by UUID."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    token = make_token(merchant, "OVERVIEW")
    by_id = client.get(f"/v1/customers/{customer.id}", headers=auth(token, "token"))
    by_uuid = client.get(f"/v1/customers/{customer.public_id}", headers=auth(token))
    assert by_id.status_code == 200
    assert by_uuid.json["id"] == customer.id
    assert by_id.json["phone_number"] == customer.phone
    for field in ("customer_id", "unconfirmed_phone_number", "created_by", "modified_at"):
        assert field in by_id.json


@pytest.mark.parametrize("header", [None, "Bearer nope", "Token token=nope", "Basic abc"])
def test_read_customer_refused_without_valid_token(client, make_merchant, make_customer, header):
    """A missing or bad token gets 401 as JSON."""
    customer = make_customer(make_merchant())
    headers = {"Authorization": header} if header else {}
    response = client.get(f"/v1/customers/{customer.id}", headers=headers)
    assert response.status_code == 401
    assert response.json["status_code"] == 401


def test_write_refused_for_overview_token(client, make_merchant, make_customer, make_token):
    """An OVERVIEW token can read but every write is 403."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    token = make_token(merchant, "OVERVIEW")
    assert client.delete(f"/v1/customers/{customer.id}", headers=auth(token)).status_code == 403
    patch = client.patch(
        f"/v1/customers/{customer.id}", json={"first_name": "X"}, headers=auth(token)
    )
    assert patch.status_code == 403


def test_other_merchants_customer_is_not_found(client, make_merchant, make_customer, make_token):
    """Another merchant's customer answers 404 on read, update and delete."""
    mine, theirs = make_merchant(), make_merchant()
    other = make_customer(theirs)
    token = make_token(mine)
    url = f"/v1/customers/{other.id}"
    assert client.get(url, headers=auth(token)).status_code == 404
    assert client.patch(url, json={"first_name": "X"}, headers=auth(token)).status_code == 404
    assert client.delete(url, headers=auth(token)).status_code == 404
    assert client.get(url, headers=auth(token)).json["message"] == "Unable to find customer"


def test_create_customer_unconfirmed_by_default(client, make_merchant, make_token):
    """Document 001's create: confirmation defaults to true, so the number waits unconfirmed."""
    merchant = make_merchant(country_code="US")
    token = make_token(merchant)
    body = {"phone_number": "+12025550143", "first_name": "Ada", "last_name": "Lovelace"}
    response = client.post("/v1/customers", json=body, headers=auth(token))
    assert response.status_code == 201
    assert response.json["unconfirmed_phone_number"] == "+12025550143"
    assert response.json["phone_number"] is None
    assert response.json["confirmation_token"] is None


def test_create_customer_confirmed_when_confirmation_false(client, make_merchant, make_token):
    """confirmation=false makes a confirmed customer."""
    merchant = make_merchant(country_code="US")
    body = {"phone_number": "+12025550144", "confirmation": False}
    response = client.post("/v1/customers", json=body, headers=auth(make_token(merchant)))
    assert response.status_code == 201
    assert response.json["phone_number"] == "+12025550144"
    assert response.json["confirmed_at"] is not None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("{not json", 400, None),
        ("[1, 2]", 400, None),
        ('{"phone_number": "+12025550145", "secret": 1}', 422, "secret"),
        ('{"phone_number": "+12025550146", "confirmation": "yes"}', 422, "confirmation"),
        ('{"first_name": "Ada"}', 422, "phone"),
    ],
)
def test_create_customer_refuses_bad_input(client, make_merchant, make_token, body, status, field):
    """Invalid JSON, non-objects, unknown fields, wrong types and missing fields are refused."""
    merchant = make_merchant(country_code="US")
    response = client.post(
        "/v1/customers",
        data=body,
        content_type="application/json",
        headers=auth(make_token(merchant)),
    )
    assert response.status_code == status
    assert "message" in response.json
    if field:
        assert response.json.get("field") == field


def test_update_refuses_read_only_field(client, make_merchant, make_customer, make_token):
    """PUT or PATCH naming a read-only field is 422 and changes nothing."""
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Budi")
    token = make_token(merchant)
    for method in (client.put, client.patch):
        response = method(
            f"/v1/customers/{customer.id}",
            json={"first_name": "Eve", "created_by": "me"},
            headers=auth(token),
        )
        assert response.status_code == 422
        assert response.json["field"] == "created_by"
    assert (
        client.get(f"/v1/customers/{customer.id}", headers=auth(token)).json["first_name"] == "Budi"
    )


def test_update_and_delete_customer(client, make_merchant, make_customer, make_token):
    """PATCH changes a field; DELETE soft-deletes (204) and the customer is then 404."""
    merchant = make_merchant()
    customer = make_customer(merchant)
    token = make_token(merchant)
    url = f"/v1/customers/{customer.id}"
    patched = client.patch(url, json={"first_name": "Rina"}, headers=auth(token))
    assert patched.status_code == 200
    assert patched.json["first_name"] == "Rina"
    assert client.delete(url, headers=auth(token)).status_code == 204
    assert client.get(url, headers=auth(token)).status_code == 404


def test_list_customers_in_document_004_shape(client, make_merchant, make_customer, make_token):
    """The list pages with page/results_per_page and shows only this merchant's customers."""
    merchant, other = make_merchant(), make_merchant()
    for _ in range(3):
        make_customer(merchant)
    make_customer(other)
    token = make_token(merchant, "OVERVIEW")
    response = client.get("/v1/customers?page=2&results_per_page=2", headers=auth(token, "token"))
    assert response.status_code == 200
    assert response.json["num_results"] == 3
    assert response.json["total_pages"] == 2
    assert response.json["page"] == 2
    assert len(response.json["objects"]) == 1
    bad = client.get("/v1/customers?results_per_page=500", headers=auth(token))
    assert bad.status_code == 400
    assert bad.json["field"] == "results_per_page"
