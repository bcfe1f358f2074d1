"""Document 002: the signed-in customer's details, profile form and language."""

from __future__ import annotations

import pytest

BASE = "/api/v3/customer"


def sign_in(client, customer) -> None:
    with client.session_transaction() as s:
        s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
        s["_fresh"] = True


@pytest.mark.parametrize("path", ["/", "/update/"])
def test_customer_endpoints_answer_401_json_when_signed_out(client, path):
    """Details and update need a signed-in customer: 401 JSON, never a page."""
    response = client.get(BASE + path)
    assert response.status_code == 401
    assert response.json == {
        "message": "Customer not authenticated",
        "status_code": 401,
        "code": "not_authenticated",
    }


def test_details_in_document_shape(client, make_merchant, make_customer):
    """GET /api/v3/customer/ answers exactly document 002's keys."""
    customer = make_customer(make_merchant(), first_name="Rina", email="rina@example.test")
    sign_in(client, customer)
    response = client.get(f"{BASE}/")
    assert response.status_code == 200
    assert set(response.json) == {
        "customer_id",
        "first_name",
        "last_name",
        "mobile",
        "email",
        "nationality",
        "dob",
        "gender",
        "passport_number",
        "nation_id_number",
        "language",
        "address",
    }
    assert response.json["mobile"] == customer.phone
    assert response.json["email"] == "rina@example.test"


def test_update_get_and_empty_post_return_schema_only(client, make_merchant, make_customer):
    """GET and an empty POST answer customer_id, form and has_errors false."""
    customer = make_customer(make_merchant())
    sign_in(client, customer)
    for response in (client.get(f"{BASE}/update/"), client.post(f"{BASE}/update/")):
        assert response.status_code == 200
        assert response.json["customer_id"] == customer.public_id
        assert response.json["has_errors"] is False
        names = {f["name"] for f in response.json["form"]["fields"]}
        assert "first_name" in names


def test_update_post_saves_and_reports_errors(client, make_merchant, make_customer):
    """Valid data is saved; an invalid email comes back with has_errors and nothing saved."""
    customer = make_customer(make_merchant(), first_name="Old")
    sign_in(client, customer)
    ok = client.post(f"{BASE}/update/", json={"first_name": "New"})
    assert ok.status_code == 200
    assert ok.json["has_errors"] is False
    assert client.get(f"{BASE}/").json["first_name"] == "New"
    bad = client.post(f"{BASE}/update/", json={"first_name": "Newer", "email": "not-an-email"})
    assert bad.status_code == 200
    assert bad.json["has_errors"] is True
    assert "email" in bad.json["form"]["errors"]
    assert client.get(f"{BASE}/").json["first_name"] == "New"


def test_language_for_visitor_is_kept_in_session(client):
    """A visitor who posts a language gets it back and keeps it in the session."""
    response = client.post(f"{BASE}/language/", json={"language": "bn"})
    assert response.json == {"language": "bn", "error_message": None}
    assert client.get(f"{BASE}/language/").json["language"] == "bn"


def test_language_for_customer_is_stored(client, make_merchant, make_customer):
    """A signed-in customer's language is saved on the record."""
    customer = make_customer(make_merchant())
    sign_in(client, customer)
    response = client.post(f"{BASE}/language/", json={"language": "id"})
    assert response.status_code == 200
    assert client.get(f"{BASE}/").json["language"] == "id"


def test_language_refuses_unsupported_code(client):
    """An unknown language code answers 422 with error_message naming the problem."""
    response = client.post(f"{BASE}/language/", json={"language": "xx"})
    assert response.status_code == 422
    assert response.json["error_message"] == "Unsupported language."
    assert response.json["field"] == "language"


@pytest.mark.options(wtf_csrf_enabled=True)
def test_form_encoded_post_without_csrf_is_refused(client, make_merchant, make_customer):
    """A cross-site form (not JSON, no CSRF header) cannot change the profile."""
    customer = make_customer(make_merchant(), first_name="Safe")
    sign_in(client, customer)
    response = client.post(f"{BASE}/update/", data={"first_name": "Hacked"})
    assert response.status_code == 400
    assert client.get(f"{BASE}/").json["first_name"] == "Safe"
    language = client.post(f"{BASE}/language/", data={"language": "bn"})
    assert language.status_code == 400
